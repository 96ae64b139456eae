package image

import (
	"encoding/json"
	"errors"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// isDecodeError reports whether err comes from decoding malformed JSON
// (bad syntax, a value of the wrong type, a truncated document), which is
// bad input, not a failure to read.
func isDecodeError(err error) bool {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &typ) {
		return true
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "unexpected end of JSON input" {
			return true
		}
	}
	return false
}

// checkStructure refuses a manifest and config that disagree or hold
// impossible values: diff_ids and layers in different numbers, negative
// sizes.
func checkStructure(m *v1.Manifest, cfg *v1.ConfigFile) error {
	if n, l := len(cfg.RootFS.DiffIDs), len(m.Layers); n != l {
		return fmt.Errorf("config lists %d diff_ids for the manifest's %d layers: %w", n, l, ErrInvalidImage)
	}
	if m.Config.Size < 0 {
		return fmt.Errorf("manifest gives the config a negative size (%d): %w", m.Config.Size, ErrInvalidImage)
	}
	for i, l := range m.Layers {
		if l.Size < 0 {
			return fmt.Errorf("manifest gives layer %d (%s) a negative size (%d): %w", i, l.Digest, l.Size, ErrInvalidImage)
		}
	}
	return nil
}
