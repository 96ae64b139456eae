package analyze

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TestWriteDiveImages writes the images of diveImages as docker-archive
// files into $PYIMG_DIVE_IMAGES so that dive can be run on them:
//
//	PYIMG_DIVE_IMAGES=/tmp/imgs go test ./analyze -run TestWriteDiveImages
//	dive --ci --json out.json --source docker-archive /tmp/imgs/NAME.tar
func TestWriteDiveImages(t *testing.T) {
	dir := os.Getenv("PYIMG_DIVE_IMAGES")
	if dir == "" {
		t.Skip("PYIMG_DIVE_IMAGES not set")
	}
	for nm, build := range diveImages {
		ref, err := name.ParseReference("pyimg.test/" + nm + ":latest")
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dir, nm+".tar"))
		if err != nil {
			t.Fatal(err)
		}
		if err := tarball.Write(ref, build(t), f); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	n, _ := strconv.Atoi(os.Getenv("PYIMG_DIVE_RANDOM"))
	for seed := range uint64(n) {
		nm := fmt.Sprintf("random-%d", seed)
		ref, err := name.ParseReference("pyimg.test/" + nm + ":latest")
		if err != nil {
			t.Fatal(err)
		}
		img := randomImage(t, seed)
		f, err := os.Create(filepath.Join(dir, nm+".tar"))
		if err != nil {
			t.Fatal(err)
		}
		if err := tarball.Write(ref, img, f); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		// what we compute, for comparing with dive's JSON
		res, err := Image(t.Context(), img, WithTop(1000))
		if err != nil {
			t.Fatalf("%s: %v", nm, err)
		}
		b, _ := json.Marshal(map[string]any{"size": res.SizeBytes, "wasted": res.WastedBytes, "eff": res.Efficiency, "files": res.WastedFiles})
		if err := os.WriteFile(filepath.Join(dir, nm+".ours.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// diveMeasured holds what dive reported for each image of diveImages.
// Measured with dive v0.13.1-13-gd6c6919 (github.com/wagoodman/dive at
// d6c6919, built with go1.26.8) on the archives TestWriteDiveImages writes:
//
//	dive --ci --json NAME.json --source docker-archive NAME.tar
//
// from the JSON's image.sizeBytes, image.inefficientBytes,
// image.efficiencyScore and image.fileReference (sorted by path; dive's
// order among equal sizes is unspecified).
var diveMeasured = map[string]struct {
	sizeBytes   int64
	wasted      int64
	efficiency  float64
	inefficient int
	files       []WastedFile
	// userWastedPercent is the "userWastedPercent" line of
	// `CI=true dive --source docker-archive NAME.tar`, rounded to 2 places.
	userWastedPercent float64
}{
	"overwrite": {47200, 46100, 0.2902542372881356, 3, []WastedFile{{"/opt/x/y/data.bin", 2, 7100}, {"/usr/bin/helper", 2, 5000}, {"/usr/bin/tool", 3, 34000}}, 168.25},
	"delete":    {94794, 500, 0.9969359672191304, 1, []WastedFile{{"/var/lib/state", 2, 500}}, 6.04},
	"opaque":    {13210, 8100, 0.6896290688872067, 1, []WastedFile{{"/app/a.py", 2, 8100}}, 192.40},
	"links":     {161000, 80000, 0.5031055900621118, 3, []WastedFile{{"/usr/bin/python", 2, 0}, {"/usr/bin/python3", 2, 60000}, {"/usr/lib/libfoo.so.1", 2, 20000}}, 98.77},
	"quirks":    {1146, 81, 0.9469790382244143, 1, []WastedFile{{"/-w/f", 2, 81}}, 13.48},
	"quirks2":   {1150, 722, 0.7076335877862595, 4, []WastedFile{{"/-w/f", 2, 81}, {"/d/x", 2, 601}, {"/dup", 3, 40}, {"/empty", 2, 0}}, 119.34},
	// 100 wasted paths: the full list is in testdata/dive/synthetic.json.
	"synthetic": {7094761, 417495, 0.9673057344708299, 100, nil, 6.99},
}

// diveJSON is the part of dive's --json output the tests compare. The
// files in testdata/dive are that output for each image, with the per-layer
// fileList dropped and fileReference sorted by path.
type diveJSON struct {
	Layer []struct {
		Index     int    `json:"index"`
		ID        string `json:"id"`
		DigestID  string `json:"digestId"`
		SizeBytes int64  `json:"sizeBytes"`
		Command   string `json:"command"`
	} `json:"layer"`
	Image struct {
		SizeBytes        int64   `json:"sizeBytes"`
		InefficientBytes int64   `json:"inefficientBytes"`
		EfficiencyScore  float64 `json:"efficiencyScore"`
		FileReference    []struct {
			Count     int    `json:"count"`
			SizeBytes int64  `json:"sizeBytes"`
			File      string `json:"file"`
		} `json:"fileReference"`
	} `json:"image"`
}

func TestDiveCompatible(t *testing.T) {
	for nm, want := range diveMeasured {
		t.Run(nm, func(t *testing.T) {
			t.Parallel()
			res, err := Image(t.Context(), diveImages[nm](t), WithTop(1000))
			if err != nil {
				t.Fatalf("Image() = %v", err)
			}
			if res.SizeBytes != want.sizeBytes {
				t.Errorf("SizeBytes = %d, want %d", res.SizeBytes, want.sizeBytes)
			}
			if res.WastedBytes != want.wasted {
				t.Errorf("WastedBytes = %d, want %d", res.WastedBytes, want.wasted)
			}
			if res.Efficiency != want.efficiency {
				t.Errorf("Efficiency = %v, want %v", res.Efficiency, want.efficiency)
			}
			if len(res.WastedFiles) != want.inefficient {
				t.Errorf("len(WastedFiles) = %d, want %d", len(res.WastedFiles), want.inefficient)
			}
			if p := math.Round(res.WastedUserPercent*10000) / 100; p != want.userWastedPercent {
				t.Errorf("WastedUserPercent = %v (%.2f%%), want %.2f%%", res.WastedUserPercent, p, want.userWastedPercent)
			}
			got := slices.Clone(res.WastedFiles)
			slices.SortFunc(got, func(a, b WastedFile) int { return strings.Compare(a.Path, b.Path) })
			if want.files != nil && !slices.Equal(got, want.files) {
				t.Errorf("WastedFiles = %+v, want %+v", got, want.files)
			}

			b, err := os.ReadFile(filepath.Join("testdata", "dive", nm+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var dj diveJSON
			if err := json.Unmarshal(b, &dj); err != nil {
				t.Fatal(err)
			}
			if dj.Image.InefficientBytes != want.wasted || dj.Image.EfficiencyScore != want.efficiency {
				t.Fatalf("testdata/dive/%s.json disagrees with diveMeasured", nm)
			}
			var fromDive []WastedFile
			for _, f := range dj.Image.FileReference {
				fromDive = append(fromDive, WastedFile{Path: f.File, Count: f.Count, SizeBytes: f.SizeBytes})
			}
			if !slices.Equal(got, fromDive) {
				t.Errorf("WastedFiles differ from dive's fileReference:\n got %+v\nwant %+v", got, fromDive)
			}
			if len(res.Layers) != len(dj.Layer) {
				t.Fatalf("len(Layers) = %d, dive has %d", len(res.Layers), len(dj.Layer))
			}
			for i, dl := range dj.Layer {
				l := res.Layers[i]
				if l.SizeBytes != dl.SizeBytes || l.DiffID != dl.DigestID || l.CreatedBy != dl.Command ||
					l.Digest != "sha256:"+strings.TrimSuffix(dl.ID, ".tar.gz") {
					t.Errorf("layer %d = %+v, dive has %+v", i, l, dl)
				}
			}
		})
	}
}

// TestDiveGates checks Gate against dive's CI verdicts on the "overwrite"
// image, measured with the same dive build:
//
//	CI=true dive --source docker-archive overwrite.tar \
//	  --lowestEfficiency 0.29 --highestUserWastedPercent 0.99 --highestWastedBytes 46100
//	  -> FAIL highestUserWastedPercent, PASS highestWastedBytes, PASS lowestEfficiency
//	CI=true dive --source docker-archive overwrite.tar --lowestEfficiency 0.2903 --highestWastedBytes 46099
//	  -> FAIL all three (highestUserWastedPercent defaults to 0.1)
func TestDiveGates(t *testing.T) {
	res, err := Image(t.Context(), diveImages["overwrite"](t))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Gate(GateOptions{MinEfficiency: 0.29, MaxWastedPercent: 0.99, MaxWastedBytes: 46100}); len(got) != 1 || !strings.Contains(got[0], "relative to the user bytes") {
		t.Errorf("Gate(0.29, 46100, 0.99) = %q, want only the user-wasted violation", got)
	}
	if got := res.Gate(GateOptions{MinEfficiency: 0.2903, MaxWastedPercent: 0.1, MaxWastedBytes: 46099}); len(got) != 3 {
		t.Errorf("Gate(0.2903, 46099, 0.1) = %q, want 3 violations", got)
	}
}
