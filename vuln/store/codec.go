package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/pyimg/pyimg/vuln/osv"
)

// The index stores slim records in a compact binary form: decoding JSON was
// half the cost of matching (10k packages against 200k advisories). The
// layout is a format byte, then fields in a fixed order; strings and raw JSON
// are a uvarint length and bytes, lists a uvarint count and elements.
const codecVersion = 1

// Event kinds in the encoding.
const (
	evIntroduced byte = iota
	evFixed
	evLastAffected
	evLimit
)

var errCorrupt = errors.New("corrupt index entry")

type encoder struct{ b []byte }

func (e *encoder) uint(n int) { e.b = binary.AppendUvarint(e.b, uint64(n)) }

func (e *encoder) str(s string) {
	e.uint(len(s))
	e.b = append(e.b, s...)
}

func (e *encoder) bytes(b []byte) {
	e.uint(len(b))
	e.b = append(e.b, b...)
}

func (e *encoder) strs(ss []string) {
	e.uint(len(ss))
	for _, s := range ss {
		e.str(s)
	}
}

func (e *encoder) severities(ss []osv.Severity) {
	e.uint(len(ss))
	for _, s := range ss {
		e.str(s.Type)
		e.str(s.Score)
	}
}

// encodeRecord encodes the fields of a slim record (see slimRecord).
func encodeRecord(r *osv.Record) []byte {
	e := &encoder{b: make([]byte, 0, 256)}
	e.b = append(e.b, codecVersion)
	e.str(r.ID)
	e.strs(r.Aliases)
	e.str(r.Summary)
	e.severities(r.Severity)
	e.bytes(r.DatabaseSpecific)
	e.uint(len(r.Affected))
	for _, a := range r.Affected {
		e.str(a.Package.Ecosystem)
		e.str(a.Package.Name)
		e.str(a.Package.PURL)
		e.severities(a.Severity)
		e.uint(len(a.Ranges))
		for _, rg := range a.Ranges {
			e.str(rg.Type)
			e.str(rg.Repo)
			e.uint(len(rg.Events))
			for _, ev := range rg.Events {
				switch {
				case ev.Introduced != "":
					e.b = append(e.b, evIntroduced)
					e.str(ev.Introduced)
				case ev.Fixed != "":
					e.b = append(e.b, evFixed)
					e.str(ev.Fixed)
				case ev.LastAffected != "":
					e.b = append(e.b, evLastAffected)
					e.str(ev.LastAffected)
				default:
					e.b = append(e.b, evLimit)
					e.str(ev.Limit)
				}
			}
		}
		e.strs(a.Versions)
		e.bytes(a.EcosystemSpecific)
		e.bytes(a.DatabaseSpecific)
	}
	return e.b
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uint() int {
	if d.err != nil {
		return 0
	}
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)) {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[k:]
	return int(n)
}

func (d *decoder) raw() []byte {
	n := d.uint()
	if d.err != nil || n > len(d.b) {
		d.err = errCorrupt
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string { return string(d.raw()) }

func (d *decoder) bytes() []byte {
	v := d.raw()
	if len(v) == 0 {
		return nil
	}
	return append([]byte(nil), v...)
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.err = errCorrupt
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// count reads a list length, bounded by the bytes left (every element
// takes at least one byte), so corrupt input cannot allocate wildly.
func (d *decoder) count() int {
	n := d.uint()
	if n > len(d.b) {
		d.err = errCorrupt
		return 0
	}
	return n
}

func (d *decoder) strs() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *decoder) severities() []osv.Severity {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]osv.Severity, n)
	for i := range out {
		out[i] = osv.Severity{Type: d.str(), Score: d.str()}
	}
	return out
}

// decodeRecord decodes what encodeRecord wrote. The result shares no memory
// with b (bbolt's pages are valid only inside their transaction).
func decodeRecord(b []byte) (*osv.Record, error) {
	d := &decoder{b: b}
	if v := d.byte(); v != codecVersion {
		return nil, fmt.Errorf("%w: format %d", errCorrupt, v)
	}
	r := &osv.Record{ID: d.str(), Aliases: d.strs(), Summary: d.str(), Severity: d.severities(), DatabaseSpecific: d.bytes()}
	if n := d.count(); n > 0 {
		r.Affected = make([]osv.Affected, n)
		for i := range r.Affected {
			a := &r.Affected[i]
			a.Package = osv.Package{Ecosystem: d.str(), Name: d.str(), PURL: d.str()}
			a.Severity = d.severities()
			if nr := d.count(); nr > 0 {
				a.Ranges = make([]osv.Range, nr)
				for j := range a.Ranges {
					rg := &a.Ranges[j]
					rg.Type, rg.Repo = d.str(), d.str()
					rg.Events = make([]osv.Event, d.count())
					for k := range rg.Events {
						kind, v := d.byte(), d.str()
						switch kind {
						case evIntroduced:
							rg.Events[k].Introduced = v
						case evFixed:
							rg.Events[k].Fixed = v
						case evLastAffected:
							rg.Events[k].LastAffected = v
						case evLimit:
							rg.Events[k].Limit = v
						default:
							d.err = errCorrupt
						}
					}
				}
			}
			a.Versions = d.strs()
			a.EcosystemSpecific = d.bytes()
			a.DatabaseSpecific = d.bytes()
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorrupt
	}
	if d.err != nil {
		return nil, d.err
	}
	return r, nil
}
