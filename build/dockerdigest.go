package build

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// dockerArchiveDigest returns the manifest digest skopeo (containers/image)
// reports for img saved as a docker-archive: it synthesizes a Docker
// schema 2 manifest from the archive, naming each layer by its
// uncompressed digest and size. Uncompressed sizes not known from layers
// written here are measured by decompressing.
func dockerArchiveDigest(img v1.Image, known map[v1.Hash]int64) (string, error) {
	type desc struct {
		MediaType string `json:"mediaType"`
		Size      int64  `json:"size"`
		Digest    string `json:"digest"`
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return "", err
	}
	rawCfg, err := img.RawConfigFile()
	if err != nil {
		return "", err
	}
	m := struct {
		SchemaVersion int    `json:"schemaVersion"`
		MediaType     string `json:"mediaType"`
		Config        desc   `json:"config"`
		Layers        []desc `json:"layers"`
	}{
		SchemaVersion: 2,
		MediaType:     "application/vnd.docker.distribution.manifest.v2+json",
		Config:        desc{MediaType: "application/vnd.docker.container.image.v1+json", Size: int64(len(rawCfg)), Digest: cfgName.String()},
		Layers:        []desc{},
	}
	ls, err := img.Layers()
	if err != nil {
		return "", err
	}
	for _, l := range ls {
		diff, err := l.DiffID()
		if err != nil {
			return "", err
		}
		size, ok := known[diff]
		if !ok {
			rc, err := l.Uncompressed()
			if err != nil {
				return "", fmt.Errorf("reading layer %s: %w", diff, err)
			}
			size, err = io.Copy(io.Discard, rc)
			rc.Close()
			if err != nil {
				return "", fmt.Errorf("reading layer %s: %w", diff, err)
			}
		}
		m.Layers = append(m.Layers, desc{MediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", Size: size, Digest: diff.String()})
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("sha256:%x", sha256.Sum256(b)), nil
}
