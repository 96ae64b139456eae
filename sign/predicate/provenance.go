package predicate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Default identifiers of pyimg's provenance.
const (
	// BuildTypePyimg is the buildType of `pyimg build` provenance.
	BuildTypePyimg = "https://github.com/pyimg/pyimg/blob/main/docs/formats.md#build-provenance-v1"
	// BuilderPyimg is the default builder id.
	BuilderPyimg = "https://github.com/pyimg/pyimg"
)

// Provenance is a SLSA provenance v1 predicate.
type Provenance struct {
	BuildDefinition BuildDefinition `json:"buildDefinition"`
	RunDetails      RunDetails      `json:"runDetails"`
}

// BuildDefinition says what was built and from what.
type BuildDefinition struct {
	BuildType            string               `json:"buildType"`
	ExternalParameters   map[string]any       `json:"externalParameters"`
	InternalParameters   map[string]any       `json:"internalParameters,omitempty"`
	ResolvedDependencies []ResourceDescriptor `json:"resolvedDependencies,omitempty"`
}

// ResourceDescriptor names an input by URI, name and digest.
type ResourceDescriptor struct {
	URI    string            `json:"uri,omitempty"`
	Name   string            `json:"name,omitempty"`
	Digest map[string]string `json:"digest"`
}

// RunDetails says who built it and when.
type RunDetails struct {
	Builder  Builder       `json:"builder"`
	Metadata BuildMetadata `json:"metadata"`
}

// Builder identifies the builder.
type Builder struct {
	ID      string            `json:"id"`
	Version map[string]string `json:"version,omitempty"`
}

// BuildMetadata holds the invocation id and times.
type BuildMetadata struct {
	InvocationID string     `json:"invocationId,omitempty"`
	StartedOn    *time.Time `json:"startedOn,omitempty"`
	FinishedOn   *time.Time `json:"finishedOn,omitempty"`
}

// ProvenanceInput is what a build knows about its own inputs.
type ProvenanceInput struct {
	// BaseImage is the base image reference and BaseDigest its manifest
	// digest ("sha256:…").
	BaseImage, BaseDigest string
	// LockFile is the lock file's name and LockSHA256 its SHA-256 (hex).
	LockFile, LockSHA256 string
	// Wheels are the wheels installed.
	Wheels []Wheel
	// Parameters are further external parameters (target platform,
	// command line); they are recorded as given.
	Parameters map[string]any
	// BuilderID and BuildType default to pyimg's.
	BuilderID, BuildType string
	// ToolVersion is pyimg's version.
	ToolVersion string
	// InvocationID identifies the build run (optional).
	InvocationID string
	// Started and Finished are when the build ran (optional).
	Started, Finished time.Time
}

// Wheel is one installed wheel: its file name, where it came from
// (optional) and its SHA-256 (hex).
type Wheel struct {
	Name, URI, SHA256 string
}

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// NewProvenance returns the SLSA v1 predicate of a build with in's inputs
// as resolved dependencies: the base image by digest, the lock file and
// every wheel by SHA-256.
func NewProvenance(in ProvenanceInput) (json.RawMessage, error) {
	p := Provenance{
		BuildDefinition: BuildDefinition{
			BuildType:          cmpOr(in.BuildType, BuildTypePyimg),
			ExternalParameters: map[string]any{},
		},
		RunDetails: RunDetails{Builder: Builder{ID: cmpOr(in.BuilderID, BuilderPyimg)}},
	}
	for k, v := range in.Parameters {
		p.BuildDefinition.ExternalParameters[k] = v
	}
	if in.ToolVersion != "" {
		p.RunDetails.Builder.Version = map[string]string{"pyimg": in.ToolVersion}
	}
	if in.BaseImage != "" || in.BaseDigest != "" {
		alg, hex, ok := strings.Cut(in.BaseDigest, ":")
		if !ok || alg != "sha256" || !hexSHA256.MatchString(hex) {
			return nil, fmt.Errorf("provenance: base image digest %q: want sha256:<64 hex digits>", in.BaseDigest)
		}
		p.BuildDefinition.ExternalParameters["baseImage"] = in.BaseImage
		p.BuildDefinition.ResolvedDependencies = append(p.BuildDefinition.ResolvedDependencies,
			ResourceDescriptor{URI: baseURI(in.BaseImage, in.BaseDigest), Name: "base-image", Digest: map[string]string{"sha256": hex}})
	}
	if in.LockFile != "" || in.LockSHA256 != "" {
		if !hexSHA256.MatchString(in.LockSHA256) {
			return nil, fmt.Errorf("provenance: lock file %s: SHA-256 %q is not 64 hex digits", in.LockFile, in.LockSHA256)
		}
		p.BuildDefinition.ExternalParameters["lockFile"] = in.LockFile
		p.BuildDefinition.ResolvedDependencies = append(p.BuildDefinition.ResolvedDependencies,
			ResourceDescriptor{Name: in.LockFile, Digest: map[string]string{"sha256": in.LockSHA256}})
	}
	for _, w := range in.Wheels {
		if !hexSHA256.MatchString(w.SHA256) {
			return nil, fmt.Errorf("provenance: wheel %s: SHA-256 %q is not 64 hex digits", w.Name, w.SHA256)
		}
		p.BuildDefinition.ResolvedDependencies = append(p.BuildDefinition.ResolvedDependencies,
			ResourceDescriptor{URI: w.URI, Name: w.Name, Digest: map[string]string{"sha256": w.SHA256}})
	}
	md := &p.RunDetails.Metadata
	md.InvocationID = in.InvocationID
	if !in.Started.IsZero() {
		t := in.Started.UTC()
		md.StartedOn = &t
	}
	if !in.Finished.IsZero() {
		t := in.Finished.UTC()
		md.FinishedOn = &t
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding provenance: %w", err)
	}
	return b, nil
}

// ParseProvenance reads a SLSA v1 predicate and checks the fields SLSA
// requires: a build type and a builder id.
func ParseProvenance(pred json.RawMessage) (*Provenance, error) {
	var p Provenance
	if err := json.Unmarshal(pred, &p); err != nil {
		return nil, fmt.Errorf("reading provenance: %w", err)
	}
	if p.BuildDefinition.BuildType == "" {
		return nil, fmt.Errorf("reading provenance: no buildDefinition.buildType")
	}
	if p.RunDetails.Builder.ID == "" {
		return nil, fmt.Errorf("reading provenance: no runDetails.builder.id")
	}
	return &p, nil
}

// baseURI names the base image as a purl-like OCI URI pinned by digest.
func baseURI(ref, digest string) string {
	if ref == "" {
		return ""
	}
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	return "oci://" + ref + "@" + digest
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
