package build

import (
	"fmt"
	"path"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/pyimg/pyimg/build/layer"
)

// OCI annotation and label keys set on built images.
const (
	AnnotationSource     = "org.opencontainers.image.source"
	AnnotationRevision   = "org.opencontainers.image.revision"
	AnnotationBaseName   = "org.opencontainers.image.base.name"
	AnnotationBaseDigest = "org.opencontainers.image.base.digest"
	AnnotationCreated    = "org.opencontainers.image.created"
)

// imageSpec is the configuration of the built image.
type imageSpec struct {
	Prefix     string
	User       string
	WorkingDir string
	Env        []string
	Entrypoint []string
	Cmd        []string
	Ports      []string
	Labels     map[string]string
	Created    time.Time
}

// assemble appends the built layers to base and sets the config, labels
// and annotations. Base layers are kept as they are.
func assemble(base v1.Image, built []*builtLayer, spec imageSpec) (v1.Image, error) {
	mt, err := base.MediaType()
	if err != nil {
		return nil, fmt.Errorf("reading the base manifest: %w", err)
	}
	layerType := types.OCILayer
	if mt == types.DockerManifestSchema2 {
		layerType = types.DockerLayer
	}
	adds := make([]mutate.Addendum, 0, len(built))
	for _, b := range built {
		l, err := layer.Open(b.File, b.Written)
		if err != nil {
			return nil, err
		}
		adds = append(adds, mutate.Addendum{
			Layer:     l,
			MediaType: layerType,
			History: v1.History{
				Created:   v1.Time{Time: spec.Created},
				CreatedBy: "pyimg build: " + b.Kind,
				Comment:   fmt.Sprintf("%d files", b.Written.Entries),
			},
		})
	}
	img, err := mutate.Append(base, adds...)
	if err != nil {
		return nil, fmt.Errorf("appending layers: %w", err)
	}
	cfgFile, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the base config: %w", err)
	}
	cfg := cfgFile.DeepCopy()
	c := &cfg.Config
	c.User = spec.User
	c.WorkingDir = spec.WorkingDir
	c.Env = mergeEnv(c.Env, spec.Env)
	c.Entrypoint = spec.Entrypoint
	c.Cmd = spec.Cmd
	if len(spec.Ports) > 0 {
		c.ExposedPorts = map[string]struct{}{}
		for _, p := range spec.Ports {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			c.ExposedPorts[p] = struct{}{}
		}
	}
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	for k, v := range spec.Labels {
		c.Labels[k] = v
	}
	cfg.Created = v1.Time{Time: spec.Created}
	cfg.Author = "pyimg"
	// The base's build container has no place in the result's config.
	cfg.Container = ""
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("setting the config: %w", err)
	}
	if mt == types.DockerManifestSchema2 {
		return img, nil // Docker manifests carry no annotations
	}
	anns := map[string]string{}
	for k, v := range spec.Labels {
		anns[k] = v
	}
	out, ok := mutate.Annotations(img, anns).(v1.Image)
	if !ok {
		return nil, fmt.Errorf("annotating the image: unexpected type")
	}
	return out, nil
}

// mergeEnv sets each KEY=value of add in base, replacing a variable of the
// same name in place and appending new ones in order.
func mergeEnv(base, add []string) []string {
	out := append([]string(nil), base...)
	for _, kv := range add {
		k, _, _ := strings.Cut(kv, "=")
		replaced := false
		for i, old := range out {
			if ok, _, _ := strings.Cut(old, "="); ok == k {
				out[i], replaced = kv, true
				break
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}

// venvEnv returns the environment for a venv at prefix on top of the base
// config's PATH.
func venvEnv(baseEnv []string, prefix string) []string {
	p := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, kv := range baseEnv {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok && v != "" {
			p = v
		}
	}
	bin := path.Join(prefix, "bin")
	var parts []string
	for _, d := range strings.Split(p, ":") {
		if d != bin && d != "" {
			parts = append(parts, d)
		}
	}
	return []string{
		"PATH=" + strings.Join(append([]string{bin}, parts...), ":"),
		"VIRTUAL_ENV=" + prefix,
		"PYTHONUNBUFFERED=1",
		"PYTHONDONTWRITEBYTECODE=1",
	}
}
