package image

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// dockerEntry is one image in a docker-archive's manifest.json.
type dockerEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// openDockerArchive opens a "docker save" tar. The archive has no image
// manifest, so one is synthesized: layer digests come from blob file names
// where the archive has them ("blobs/sha256/…"), else from the config's
// diff IDs for uncompressed layers (the usual case), else by hashing the
// member once. Every read is then verified against that digest, so an
// uncompressed layer that does not match its diff ID is an error.
//
// ggcr's tarball package reads the same format but recompresses
// uncompressed layers to compute their digests, which costs a gzip pass
// over every layer just to open the image.
func openDockerArchive(r Reference, _ *options) (*Image, error) {
	st, err := indexTar(TransportDockerArchive, r.Path)
	if err != nil {
		return nil, err
	}
	entries, err := readDockerManifest(st)
	if err != nil {
		return nil, err
	}
	i, err := chooseDockerEntry(st, entries, r.Tag)
	if err != nil {
		return nil, err
	}
	e := entries[i]
	name := r.Path
	if len(e.RepoTags) > 0 {
		name += ":" + e.RepoTags[0]
	}

	cfgRaw, cfgDigest, err := readDockerConfig(st, e.Config)
	if err != nil {
		return nil, err
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(cfgRaw))
	if err != nil {
		return nil, fmt.Errorf("%s: parsing config %s: %v: %w", st, e.Config, err, ErrInvalidImage)
	}
	if len(cfg.RootFS.DiffIDs) != len(e.Layers) {
		return nil, fmt.Errorf("%s: config %s lists %d diff_ids, manifest.json %d layers: %w",
			st, e.Config, len(cfg.RootFS.DiffIDs), len(e.Layers), ErrInvalidImage)
	}

	m := &v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestSchema2,
		Config:        v1.Descriptor{MediaType: types.DockerConfigJSON, Size: int64(len(cfgRaw)), Digest: cfgDigest},
	}
	members := map[v1.Hash]string{}
	for n, lp := range e.Layers {
		d, err := dockerLayerDescriptor(st, lp, cfg.RootFS.DiffIDs[n])
		if err != nil {
			return nil, err
		}
		m.Layers = append(m.Layers, d)
		members[d.Digest] = cleanOrRaw(lp)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	open := func(d v1.Descriptor) (io.ReadCloser, error) {
		p, ok := members[d.Digest]
		if !ok {
			return nil, &BlobError{Source: st.String(), Digest: d.Digest, Reason: "not in manifest.json"}
		}
		rc, _, err := st.open(p)
		if err != nil {
			return nil, err
		}
		return verifyReader(rc, st.String()+" member "+p, d.Digest, d.Size)
	}
	core := &blobImage{source: st.String(), mediaType: m.MediaType, raw: raw, manifest: m, rawConfig: cfgRaw, open: open}
	img, err := partial.CompressedToImage(core)
	if err != nil {
		return nil, err
	}
	at := storeBlobAt(st, func(d v1.Hash) (string, bool) { p, ok := members[d]; return p, ok })
	return &Image{Name: name, Image: img, blobAt: at}, nil
}

func readDockerManifest(st *tarStore) ([]dockerEntry, error) {
	rc, _, err := st.open("manifest.json")
	if errors.Is(err, fs.ErrNotExist) {
		hint := ""
		if _, ok := st.members["index.json"]; ok {
			hint = "; it has an index.json, so it may be an oci-archive"
		}
		return nil, fmt.Errorf("%s: no manifest.json, so not a docker save archive%s: %w", st, hint, ErrInvalidImage)
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, maxManifest+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading manifest.json: %w", st, err)
	}
	if len(raw) > maxManifest {
		return nil, fmt.Errorf("%s: manifest.json is larger than %d bytes: %w", st, maxManifest, ErrInvalidImage)
	}
	var entries []dockerEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("%s: parsing manifest.json: %v: %w", st, err, ErrInvalidImage)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%s: manifest.json lists no images: %w", st, ErrNotFound)
	}
	return entries, nil
}

// chooseDockerEntry picks the image tag names: a repo tag, "@N", or ""
// for the first image.
func chooseDockerEntry(st *tarStore, entries []dockerEntry, tag string) (int, error) {
	if tag == "" {
		return 0, nil
	}
	if n, ok := strings.CutPrefix(tag, "@"); ok {
		i, err := strconv.Atoi(n)
		if err != nil || i < 0 || i >= len(entries) {
			return 0, fmt.Errorf("%s: no image @%s; the archive has %d (@0 to @%d): %w", st, n, len(entries), len(entries)-1, ErrNotFound)
		}
		return i, nil
	}
	want, err := name.NewTag(tag)
	if err != nil {
		return 0, &ReferenceError{Ref: tag, Reason: err.Error()}
	}
	var all []string
	for i, e := range entries {
		for _, t := range e.RepoTags {
			all = append(all, t)
			if have, err := name.NewTag(t); err == nil && have.Name() == want.Name() {
				return i, nil
			}
		}
	}
	avail := "none"
	if len(all) > 0 {
		avail = strings.Join(all, ", ")
	}
	return 0, fmt.Errorf("%s: no image tagged %q (tags: %s): %w", st, tag, avail, ErrNotFound)
}

// readDockerConfig reads the config member and returns it with its
// digest, checked against the digest its file name carries, if any.
func readDockerConfig(st *tarStore, p string) ([]byte, v1.Hash, error) {
	rc, size, err := st.open(cleanOrRaw(p))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, v1.Hash{}, fmt.Errorf("%s: config %s named in manifest.json is missing: %w", st, p, ErrInvalidImage)
	}
	if err != nil {
		return nil, v1.Hash{}, err
	}
	defer rc.Close()
	if size > maxConfig {
		return nil, v1.Hash{}, fmt.Errorf("%s: config %s is larger than %d bytes: %w", st, p, maxConfig, ErrInvalidImage)
	}
	raw, err := io.ReadAll(rc)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("%s: reading config %s: %w", st, p, err)
	}
	h, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return nil, v1.Hash{}, err
	}
	if want, ok := digestFromPath(p); ok && want != h {
		return nil, v1.Hash{}, &BlobError{Source: st.String() + " member " + p, Digest: want, Reason: "digest mismatch: content hashes to " + h.String()}
	}
	return raw, h, nil
}

// dockerLayerDescriptor describes the layer member p: its size, media type
// (from its first bytes) and digest.
func dockerLayerDescriptor(st *tarStore, p string, diffID v1.Hash) (v1.Descriptor, error) {
	rc, size, err := st.open(cleanOrRaw(p))
	if errors.Is(err, fs.ErrNotExist) {
		return v1.Descriptor{}, fmt.Errorf("%s: layer %s (diff_id %s) named in manifest.json is missing: %w", st, p, diffID, ErrInvalidImage)
	}
	if err != nil {
		return v1.Descriptor{}, err
	}
	defer rc.Close()
	var magic [4]byte
	n, _ := io.ReadFull(rc, magic[:])
	d := v1.Descriptor{Size: size, MediaType: types.DockerUncompressedLayer}
	switch {
	case n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		d.MediaType = types.DockerLayer
	case n == 4 && bytes.Equal(magic[:], []byte{0x28, 0xb5, 0x2f, 0xfd}):
		d.MediaType = types.OCILayerZStd
	}
	if h, ok := digestFromPath(p); ok {
		d.Digest = h
		return d, nil
	}
	// go-containerregistry's tarball.Write names compressed layers after
	// their digest ("HEX.tar.gz"); trust the name instead of hashing the
	// blob twice: the walk verifies it as it reads and fails on a mismatch.
	if h, ok := compressedDigestFromName(p); ok && d.MediaType != types.DockerUncompressedLayer {
		d.Digest = h
		return d, nil
	}
	if d.MediaType == types.DockerUncompressedLayer {
		d.Digest = diffID // verified as the blob is read
		return d, nil
	}
	// A compressed layer under a legacy name: hash it once.
	rc2, _, err := st.open(cleanOrRaw(p))
	if err != nil {
		return v1.Descriptor{}, err
	}
	defer rc2.Close()
	if d.Digest, _, err = v1.SHA256(rc2); err != nil {
		return v1.Descriptor{}, fmt.Errorf("%s: hashing layer %s: %w", st, p, err)
	}
	return d, nil
}

// digestFromPath returns the digest a member name carries:
// "blobs/sha256/HEX" or "HEX.json".
func digestFromPath(p string) (v1.Hash, bool) {
	p = cleanOrRaw(p)
	if alg, hex, ok := strings.Cut(strings.TrimPrefix(p, "blobs/"), "/"); ok && strings.HasPrefix(p, "blobs/") {
		h, err := v1.NewHash(alg + ":" + hex)
		return h, err == nil
	}
	if hex, ok := strings.CutSuffix(path.Base(p), ".json"); ok && len(hex) == 64 {
		h, err := v1.NewHash("sha256:" + hex)
		return h, err == nil
	}
	return v1.Hash{}, false
}

// compressedDigestFromName returns the digest named by "HEX.tar.gz" or
// "HEX.tar.zst".
func compressedDigestFromName(p string) (v1.Hash, bool) {
	base := path.Base(cleanOrRaw(p))
	for _, suf := range []string{".tar.gz", ".tar.zst"} {
		if hex, ok := strings.CutSuffix(base, suf); ok && len(hex) == 64 {
			h, err := v1.NewHash("sha256:" + hex)
			return h, err == nil
		}
	}
	return v1.Hash{}, false
}

// cleanOrRaw normalises a member name from manifest.json the way indexTar
// normalises header names.
func cleanOrRaw(p string) string {
	if c, ok := cleanMember(p); ok {
		return c
	}
	return p
}
