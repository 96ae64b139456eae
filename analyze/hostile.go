package analyze

import (
	"fmt"
	"strconv"

	"github.com/pyimg/pyimg/layers"
	"github.com/pyimg/pyimg/report"
)

// Rule IDs for hostile layer entries: names Docker and containerd refuse to
// extract, which layers flags and never acts on.
const (
	RuleEscape     = "PY608"
	RuleLinkEscape = "PY609"
	RuleAbsolute   = "PY610"
)

var hostileRules = []report.Rule{
	{
		ID: RuleEscape, Name: "layer-path-escape", Severity: report.SeverityError,
		Summary: "A layer entry's name climbs out of the root with \"..\".",
		Why: "An extractor that trusts the name writes outside the container's root filesystem " +
			"(path traversal, CVE-2018-15664 and friends). Docker and containerd refuse such layers; " +
			"an image that carries one was crafted or corrupted.",
		Fix:  "Rebuild the image from trusted sources; never pull or run an image with such a layer.",
		Bad:  "A layer with the entry \"../../etc/cron.d/x\".",
		Good: "A layer whose entry names are relative and stay below the root (\"usr/bin/python3\").",
	},
	{
		ID: RuleLinkEscape, Name: "layer-link-escape", Severity: report.SeverityError,
		Summary: "A layer's symlink or hardlink target climbs out of the root.",
		Why: "A link whose target leaves the root lets a later write through the link reach the host " +
			"filesystem when the layer is extracted naively; no image builder produces one.",
		Fix:  "Rebuild the image from trusted sources; never pull or run an image with such a layer.",
		Bad:  "A symlink \"app/x\" with target \"../../../../etc/shadow\".",
		Good: "Symlinks with absolute targets inside the image (\"/usr/bin/python3.12\") or relative ones that stay below the root.",
	},
	{
		ID: RuleAbsolute, Name: "layer-absolute-path", Severity: report.SeverityError,
		Summary: "A layer entry has an absolute name.",
		Why: "Layer tars hold names relative to the root; an absolute name (\"/etc/passwd\") is written " +
			"to the host's path by a naive extractor. Docker refuses such layers.",
		Fix:  "Rebuild the image with a standard builder (docker build, buildah, ko).",
		Bad:  "A layer with the entry \"/etc/passwd\".",
		Good: "A layer with the entry \"etc/passwd\".",
	},
}

// maxHostilePerLayer bounds the hostile entries kept per layer; the rest
// are counted.
const maxHostilePerLayer = 20

// hostileEntry is one flagged entry of a layer.
type hostileEntry struct {
	rule string
	name string // as written in the tar
	link string
	path string
}

// hostile records e when layers flagged it as hostile.
func (a *Analyzer) hostile(d *layerData, e *layers.Entry) {
	var rule string
	switch {
	case e.Flags.Has(layers.FlagEscape):
		rule = RuleEscape
	case e.Flags.Has(layers.FlagLinkEscape):
		rule = RuleLinkEscape
	case e.Flags.Has(layers.FlagAbsolute):
		rule = RuleAbsolute
	default:
		return
	}
	if len(d.hostile) >= maxHostilePerLayer {
		d.hostileMore++
		return
	}
	d.hostile = append(d.hostile, hostileEntry{rule: rule, name: e.Name, link: e.Linkname, path: e.Path})
}

// hostileFindings reports the flagged entries of every layer.
func hostileFindings(ls []*layerData) []report.Finding {
	var out []report.Finding
	for li, d := range ls {
		for _, h := range d.hostile {
			layer := li
			var msg string
			switch h.rule {
			case RuleEscape:
				msg = fmt.Sprintf("layer %d has entry %s, whose name climbs out of the root", li, strconv.Quote(h.name))
			case RuleLinkEscape:
				msg = fmt.Sprintf("layer %d has link %s -> %s, whose target climbs out of the root", li, strconv.Quote(h.name), strconv.Quote(h.link))
			case RuleAbsolute:
				msg = fmt.Sprintf("layer %d has entry %s with an absolute name", li, strconv.Quote(h.name))
			}
			out = append(out, finding(h.rule, h.path, &layer, msg))
		}
		if d.hostileMore > 0 {
			layer := li
			last := len(out) - 1
			out[last].Message += fmt.Sprintf("; and %d more hostile entries in layer %d", d.hostileMore, li)
			out[last].Layer = &layer
		}
	}
	return out
}
