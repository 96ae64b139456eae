package build

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/build/target"
	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/layers"
	"github.com/pyimg/pyimg/pydist"
	"github.com/pyimg/pyimg/sbom"
)

func newSHA256() hash.Hash { return sha256.New() }

// spec derives the image configuration.
func (o *options) spec(cfg Config, base *image.Image, built []*builtLayer, t *target.Target, prov Provenance) (imageSpec, error) {
	s := imageSpec{
		Prefix:     o.prefix,
		User:       firstNonEmpty(o.user, cfg.User, DefaultUser),
		WorkingDir: workingDir(cfg),
		Env:        append(venvEnv(base.Config.Config.Env, o.prefix), cfg.Env...),
		Ports:      cfg.Ports,
		Created:    o.mtime(),
		Labels: map[string]string{
			AnnotationBaseName:   prov.BaseName,
			AnnotationBaseDigest: prov.BaseDigest,
		},
	}
	for _, kv := range cfg.Env {
		if !strings.Contains(kv, "=") {
			return s, &InputError{File: "pyproject.toml", Err: fmt.Errorf("[tool.pyimg.build] env %q: want KEY=value", kv)}
		}
	}
	if prov.Source != "" {
		s.Labels[AnnotationSource] = prov.Source
	}
	if prov.Revision != "" {
		s.Labels[AnnotationRevision] = prov.Revision
	}
	if o.epoch != nil {
		s.Labels[AnnotationCreated] = o.mtime().Format(time.RFC3339)
	}
	scripts := map[string]bool{}
	var projectScripts []string
	for _, b := range built {
		for _, d := range b.Dists {
			for _, n := range d.ConsoleScripts {
				scripts[n] = true
				if b.Kind == "project" {
					projectScripts = append(projectScripts, n)
				}
			}
		}
	}
	ep := o.entrypoint
	if len(ep) == 0 {
		ep = cfg.Entrypoint
	}
	switch {
	case len(ep) > 0:
		if scripts[ep[0]] && !strings.Contains(ep[0], "/") {
			ep = append([]string{path.Join(o.prefix, "bin", ep[0])}, ep[1:]...)
		}
		s.Entrypoint = ep
	case len(projectScripts) == 1:
		s.Entrypoint = []string{path.Join(o.prefix, "bin", projectScripts[0])}
	default:
		s.Cmd = []string{path.Join(o.prefix, "bin", "python")}
	}
	return s, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// describeResult lists the image's layers and installed distributions.
func describeResult(img v1.Image, base *image.Image, built []*builtLayer) (*Result, error) {
	d, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing the image digest: %w", err)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("reading the built manifest: %w", err)
	}
	res := &Result{Digest: d.String()}
	nBase := len(m.Layers) - len(built)
	for i, l := range m.Layers {
		kind := "base"
		if i >= nBase {
			kind = built[i-nBase].Kind
		}
		res.Layers = append(res.Layers, LayerInfo{Digest: l.Digest.String(), Size: l.Size, Kind: kind})
	}
	for _, b := range built {
		res.Installed = append(res.Installed, b.Dists...)
	}
	sort.Slice(res.Installed, func(i, j int) bool {
		return pydist.NormalizeName(res.Installed[i].Name) < pydist.NormalizeName(res.Installed[j].Name)
	})
	res.Packages = len(res.Installed)
	return res, nil
}

// writeOutputs stages the local outputs and the SBOM, pushes, and only
// then moves the staged files into place: a failure anywhere leaves no
// output behind and pushes nothing (the push is last but for the renames).
func (o *options) writeOutputs(ctx context.Context, img v1.Image, built []*builtLayer, res *Result, projectName, baseRef string) (err error) {
	name := pydist.NormalizeName(projectName)
	if name == "" {
		name = "app"
	}
	var stagedOuts []*staged
	defer func() {
		if err != nil {
			for _, s := range stagedOuts {
				s.discard()
			}
		}
	}()
	for _, out := range o.outputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		ref := "latest"
		if out.Transport == OutputDockerArchive {
			ref = "localhost/" + name + ":latest"
		}
		s, err := out.stage(img, ref)
		if err != nil {
			return err
		}
		stagedOuts = append(stagedOuts, s)
		if res.Reference == "" {
			res.Reference = out.String()
		}
		if out.Transport == OutputDockerArchive && len(o.outputs) == 1 && o.push == "" {
			// The digest skopeo reports for this archive, the only output.
			d, err := dockerArchiveDigest(img, knownTarSizes(built))
			if err != nil {
				return fmt.Errorf("computing the digest of %s: %w", out, err)
			}
			res.Digest = d
		}
	}
	if o.sbom != "" {
		s, err := o.stageSBOM(ctx, img, res, baseRef)
		if err != nil {
			return err
		}
		stagedOuts = append(stagedOuts, s)
	}
	if o.push != "" {
		o.emit("push", "pushing %s", o.push)
		ref, err := push(ctx, o.push, img, o.insecure, o.transport)
		if err != nil {
			return err
		}
		res.Reference = ref
		o.emit("push", "pushed %s", ref)
	}
	for i, s := range stagedOuts {
		if err := s.commit(); err != nil {
			return err
		}
		if i < len(o.outputs) {
			o.emit("output", "wrote %s", o.outputs[i])
			res.Outputs = append(res.Outputs, o.outputs[i].String())
		}
	}
	return nil
}

// stageSBOM writes the CycloneDX SBOM of img, read in one layer pass.
func (o *options) stageSBOM(ctx context.Context, img v1.Image, res *Result, baseRef string) (*staged, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	v := inventory.New(cfg, inventory.WithFiles(false))
	if err := layers.Walk(ctx, img, []layers.Visitor{v}); err != nil {
		return nil, fmt.Errorf("reading the built image for the SBOM: %w", err)
	}
	inv, err := v.Result()
	if err != nil {
		return nil, fmt.Errorf("listing packages for the SBOM: %w", err)
	}
	platform := cfg.OS + "/" + cfg.Architecture
	if cfg.Variant != "" {
		platform += "/" + cfg.Variant
	}
	src := sbom.Source{Name: firstNonEmpty(res.Reference, "pyimg build from "+baseRef), Digest: res.Digest, Platform: platform}
	if err := os.MkdirAll(filepath.Dir(o.sbom), 0o755); err != nil {
		return nil, fmt.Errorf("writing SBOM: %w", err)
	}
	return stageFile(o.sbom, func(w io.Writer) error {
		return sbom.Encode(w, sbom.FormatCycloneDXJSON, inv, src, sbom.WithCreated(o.mtime()), sbom.WithToolVersion(o.toolVersion))
	})
}

var shaRE = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

// gitInfo reads the origin URL and HEAD commit of the git repository at
// dir from its files, without running git. Both are "" when unknown.
func gitInfo(dir string) (source, revision string) {
	gitDir := filepath.Join(dir, ".git")
	head, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return "", ""
	}
	h := strings.TrimSpace(string(head))
	if ref, ok := strings.CutPrefix(h, "ref: "); ok {
		if b, err := os.ReadFile(filepath.Join(gitDir, filepath.FromSlash(ref))); err == nil {
			h = strings.TrimSpace(string(b))
		} else {
			h = packedRef(gitDir, ref)
		}
	}
	if shaRE.MatchString(h) {
		revision = h
	}
	f, err := os.Open(filepath.Join(gitDir, "config"))
	if err != nil {
		return "", revision
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	inOrigin := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			inOrigin = line == `[remote "origin"]`
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && inOrigin && strings.TrimSpace(k) == "url" {
			source = redactURL(strings.TrimSpace(v))
		}
	}
	return source, revision
}

func packedRef(gitDir, ref string) string {
	b, err := os.ReadFile(filepath.Join(gitDir, "packed-refs"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if sha, name, ok := strings.Cut(strings.TrimSpace(line), " "); ok && name == ref {
			return sha
		}
	}
	return ""
}

// redactURL drops credentials from a URL ("https://user:token@host/x").
func redactURL(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		if at := strings.IndexByte(rest, '@'); at >= 0 && at < strings.IndexByte(rest+"/", '/') {
			return u[:i+3] + rest[at+1:]
		}
	}
	return u
}

// ParseSourceDateEpoch parses SOURCE_DATE_EPOCH (Unix seconds).
func ParseSourceDateEpoch(s string) (time.Time, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, errors.New("SOURCE_DATE_EPOCH: want non-negative Unix seconds")
	}
	return time.Unix(n, 0).UTC(), nil
}

// knownTarSizes maps the diff IDs of the layers written here to their
// uncompressed sizes.
func knownTarSizes(built []*builtLayer) map[v1.Hash]int64 {
	out := map[v1.Hash]int64{}
	for _, b := range built {
		if h, err := v1.NewHash(b.Written.DiffID); err == nil && b.Written.TarSize > 0 {
			out[h] = b.Written.TarSize
		}
	}
	return out
}
