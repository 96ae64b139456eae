package report

import (
	"encoding/json"
	"io"
)

// WriteJSON writes {"findings": [...]} with findings in deterministic order.
func WriteJSON(w io.Writer, findings []Finding) error {
	fs := append([]Finding(nil), findings...)
	SortFindings(fs)
	if fs == nil {
		fs = []Finding{}
	}
	return EncodeJSON(w, struct {
		Findings []Finding `json:"findings"`
	}{fs})
}

// EncodeJSON writes v as indented JSON followed by a newline, without HTML
// escaping (messages contain '<', '>' and '&' from shell commands).
func EncodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
