package baseimage

import "testing"

func TestPolicyAllowsRepo(t *testing.T) {
	p := Policy{AllowedRegistries: []string{"docker.io", "registry.example.com/mirror"}}
	for repo, want := range map[string]bool{
		"python":                              true,
		"docker.io/library/python":            true,
		"index.docker.io/library/python":      true,
		"registry.example.com/mirror/python":  true,
		"registry.example.com/other/python":   false,
		"registry.example.com/mirrorx/python": false,
		"127.0.0.1:5000/library/python":       false,
		"gcr.io/distroless/python3-debian12":  false,
	} {
		if got := p.AllowsRepo(repo); got != want {
			t.Errorf("AllowsRepo(%q) = %v, want %v", repo, got, want)
		}
	}
	if !(Policy{}).AllowsRepo("anything.example/x") {
		t.Errorf("empty policy refuses a repo")
	}
}
