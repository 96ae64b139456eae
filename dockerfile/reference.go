package dockerfile

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/distribution/reference"
)

// ErrInvalidReference matches the errors of CheckImageReference.
var ErrInvalidReference = errors.New("invalid image reference")

// CheckImageReference reports why ref, a FROM image after ARG
// substitution, is not an image reference by the grammar Docker and the
// registries use (github.com/distribution/reference): "python:3.12-slim",
// "ghcr.io/o/r@sha256:<64 hex>". Control characters (NUL included), a
// scheme ("http://"), path climbing ("../x") and malformed digests are
// refused. A reference that still holds variables is not checked.
func CheckImageReference(ref string) error {
	if strings.ContainsRune(ref, '$') {
		return nil
	}
	bad := func(why string) error {
		return fmt.Errorf("%q: %s: %w", ref, why, ErrInvalidReference)
	}
	if ref == "" {
		return bad("empty")
	}
	for _, r := range ref {
		if unicode.IsControl(r) {
			return bad("contains a control character")
		}
	}
	if strings.Contains(ref, "://") {
		return bad("an image reference has no scheme (write REGISTRY/REPO:TAG)")
	}
	if _, err := reference.ParseNormalizedNamed(ref); err != nil {
		return bad(err.Error())
	}
	return nil
}
