package inventory_test

import (
	"fmt"

	"github.com/pyimg/pyimg/inventory"
)

func ExampleDebPURL() {
	d := inventory.Distro{ID: "debian", VersionID: "12"}
	up := inventory.Upstream("libssl3", "3.0.15-1~deb12u1", "openssl", "3.0.15-1~deb12u1")
	fmt.Println(inventory.DebPURL(d, "libssl3", "3.0.15-1~deb12u1", "amd64", up))
	// Output: pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl
}
