package build

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Output transports, named as skopeo names them.
const (
	OutputOCI           = "oci"
	OutputOCIArchive    = "oci-archive"
	OutputDockerArchive = "docker-archive"
)

// Output is where a built image is written.
type Output struct {
	// Transport is one of the Output* constants.
	Transport string
	// Path is the directory (oci) or file (archives).
	Path string
	// Ref is the image name recorded in the output: the
	// org.opencontainers.image.ref.name of an OCI layout, the repo tag of a
	// docker-archive ("" for a default).
	Ref string
}

// ParseOutput parses "oci:DIR[:REF]", "oci-archive:FILE[:REF]" or
// "docker-archive:FILE[:REF]".
func ParseOutput(s string) (Output, error) {
	tr, rest, ok := strings.Cut(s, ":")
	if !ok || rest == "" {
		return Output{}, fmt.Errorf("output %q: want oci:DIR, oci-archive:FILE or docker-archive:FILE", s)
	}
	switch tr {
	case OutputOCI, OutputOCIArchive, OutputDockerArchive:
	default:
		return Output{}, fmt.Errorf("output %q: unknown transport %q (want oci, oci-archive or docker-archive)", s, tr)
	}
	o := Output{Transport: tr, Path: rest}
	if p, ref, ok := strings.Cut(rest, ":"); ok {
		o.Path, o.Ref = p, ref
	}
	return o, nil
}

// String renders the output as ParseOutput reads it.
func (o Output) String() string {
	if o.Ref != "" {
		return o.Transport + ":" + o.Path + ":" + o.Ref
	}
	return o.Transport + ":" + o.Path
}

// staged is an output written to a temporary place: commit moves it into
// place, discard removes it.
type staged struct {
	commit  func() error
	discard func()
}

// stage writes img for o into a temporary file or directory next to its
// destination; nothing is at the destination until commit.
func (o Output) stage(img v1.Image, defaultRef string) (*staged, error) {
	ref := o.Ref
	if ref == "" {
		ref = defaultRef
	}
	dir := filepath.Dir(o.Path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	switch o.Transport {
	case OutputOCI:
		tmp, err := os.MkdirTemp(dir, ".pyimg-oci-*")
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", o, err)
		}
		discard := func() { os.RemoveAll(tmp) }
		if err := writeLayout(dirSink(tmp), img, ref); err != nil {
			discard()
			return nil, fmt.Errorf("writing %s: %w", o, err)
		}
		if err := os.Chmod(tmp, 0o755); err != nil {
			discard()
			return nil, fmt.Errorf("writing %s: %w", o, err)
		}
		commit := func() error {
			old := o.Path + ".pyimg-old"
			_ = os.RemoveAll(old)
			if err := os.Rename(o.Path, old); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("replacing %s: %w", o.Path, err)
			}
			if err := os.Rename(tmp, o.Path); err != nil {
				_ = os.Rename(old, o.Path)
				return fmt.Errorf("writing %s: %w", o, err)
			}
			return os.RemoveAll(old)
		}
		return &staged{commit: commit, discard: discard}, nil
	case OutputOCIArchive:
		return stageFile(o.Path, func(w io.Writer) error {
			tw := tar.NewWriter(w)
			if err := writeLayout(tarSink{tw}, img, ref); err != nil {
				return err
			}
			return tw.Close()
		})
	case OutputDockerArchive:
		tag, err := name.NewTag(ref)
		if err != nil {
			return nil, fmt.Errorf("output %s: image name %q: %w", o, ref, err)
		}
		return stageFile(o.Path, func(w io.Writer) error { return tarball.Write(tag, img, w) })
	}
	return nil, fmt.Errorf("unknown output transport %q", o.Transport)
}

// stageFile writes file's content into a temporary file beside it.
func stageFile(file string, write func(io.Writer) error) (*staged, error) {
	tmp, err := os.CreateTemp(filepath.Dir(file), ".pyimg-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", file, err)
	}
	discard := func() { os.Remove(tmp.Name()) }
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		discard()
		return nil, fmt.Errorf("writing %s: %w", file, err)
	}
	commit := func() error {
		if err := os.Rename(tmp.Name(), file); err != nil {
			return fmt.Errorf("writing %s: %w", file, err)
		}
		return nil
	}
	return &staged{commit: commit, discard: discard}, nil
}

// sink receives the files of an OCI layout.
type sink interface {
	file(name string, size int64, r io.Reader) error
}

type dirSink string

func (d dirSink) file(name string, size int64, r io.Reader) error {
	p := filepath.Join(string(d), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != size {
		err = fmt.Errorf("%s: wrote %d bytes, want %d", name, n, size)
	}
	return err
}

type tarSink struct{ tw *tar.Writer }

func (t tarSink) file(name string, size int64, r io.Reader) error {
	if err := t.tw.WriteHeader(&tar.Header{Name: name, Size: size, Mode: 0o644, Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	n, err := io.Copy(t.tw, r)
	if err == nil && n != size {
		err = fmt.Errorf("%s: wrote %d bytes, want %d", name, n, size)
	}
	return err
}

// writeLayout writes img as the only image of an OCI layout: oci-layout,
// the blobs (base layers copied as stored), then index.json.
func writeLayout(s sink, img v1.Image, ref string) error {
	put := func(name string, b []byte) error { return s.file(name, int64(len(b)), strings.NewReader(string(b))) }
	blob := func(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }
	if err := put("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)); err != nil {
		return err
	}
	ls, err := img.Layers()
	if err != nil {
		return err
	}
	seen := map[v1.Hash]bool{}
	for _, l := range ls {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		if seen[d] {
			continue
		}
		seen[d] = true
		size, err := l.Size()
		if err != nil {
			return err
		}
		rc, err := l.Compressed()
		if err != nil {
			return fmt.Errorf("reading layer %s: %w", d, err)
		}
		err = s.file(blob(d), size, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("copying layer %s: %w", d, err)
		}
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return err
	}
	rawCfg, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	if err := put(blob(cfgName), rawCfg); err != nil {
		return err
	}
	raw, err := img.RawManifest()
	if err != nil {
		return err
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	if err := put(blob(digest), raw); err != nil {
		return err
	}
	mt, err := img.MediaType()
	if err != nil {
		return err
	}
	desc := v1.Descriptor{MediaType: mt, Digest: digest, Size: int64(len(raw))}
	if ref != "" {
		desc.Annotations = map[string]string{"org.opencontainers.image.ref.name": ref}
	}
	index, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: []v1.Descriptor{desc}})
	if err != nil {
		return err
	}
	return put("index.json", index)
}

// push writes img to the registry reference ref and returns the reference
// by digest. Layers the registry has are not uploaded again; layers of a
// base in the same registry are mounted.
func push(ctx context.Context, ref string, img v1.Image, insecure bool, transport http.RoundTripper) (string, error) {
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(ref, opts...)
	if err != nil {
		return "", &InputError{File: "--push", Err: fmt.Errorf("reference %q: %w", ref, err)}
	}
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	if transport != nil {
		ropts = append(ropts, remote.WithTransport(transport))
	}
	if err := remote.Write(r, img, ropts...); err != nil {
		return "", fmt.Errorf("pushing %s: %w", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	return r.Context().Digest(d.String()).String(), nil
}
