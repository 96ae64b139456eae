package analyze

import (
	"fmt"
	"math/rand/v2"
	"path"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// randomImage builds a small image from seed with everything dive's
// definitions are sensitive to: names that sort before and after ".wh.",
// files and directories replacing each other, whiteouts of files,
// directories, implicit directories and missing paths, opaque markers,
// repeated entries, hardlinks and symlinks.
func randomImage(t testing.TB, seed uint64) v1.Image {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	names := []string{"a", "b", "-x", "_y", "B", "a.b", "zz", "0"}
	randPath := func() string {
		depth := 1 + rng.IntN(3)
		p := ""
		for i := range depth {
			if i > 0 {
				p += "/"
			}
			p += names[rng.IntN(len(names))]
		}
		return p
	}
	var seen []string
	nlayers := 2 + rng.IntN(4)
	var tars [][]byte
	for l := range nlayers {
		var files []tf
		for range 1 + rng.IntN(12) {
			p := randPath()
			if len(seen) > 0 && rng.IntN(3) == 0 {
				p = seen[rng.IntN(len(seen))]
			}
			switch op := rng.IntN(10); {
			case op < 4:
				files = append(files, tr(p, rng.IntN(500)))
			case op < 6:
				files = append(files, td(p+"/"))
			case op < 8 && (l > 0 || rng.IntN(4) == 0):
				files = append(files, tb(path.Join(path.Dir(p), ".wh."+path.Base(p)), ""))
			case op < 9 && (l > 0 || rng.IntN(4) == 0):
				files = append(files, tb(p+"/.wh..wh..opq", ""))
			default:
				if len(seen) > 0 && rng.IntN(2) == 0 {
					files = append(files, th(p, seen[rng.IntN(len(seen))]))
				} else {
					files = append(files, tl(p, "../target"))
				}
			}
			seen = append(seen, p)
		}
		tars = append(tars, layerTar(t, files...))
	}
	return imageFrom(t, v1.Config{}, tars...)
}

// randomMeasured holds dive's numbers for randomImage(seed), measured with
// the dive build named at diveMeasured on archives written by
// TestWriteDiveImages (PYIMG_DIVE_RANDOM=N writes seeds 0..N-1 as
// random-SEED.tar, and random-SEED.ours.json with what Image computes):
//
//	dive --ci --json random-SEED.json --source docker-archive random-SEED.tar
//
// Seeds 0..1499 were compared that way (size, wasted bytes, efficiency and
// the full list of inefficient paths all equal); the first 15 are kept here.
// An earlier run of this comparison caught a whiteout's parent counted as a
// leaf of its layer tree.
var randomMeasured = map[uint64]struct {
	sizeBytes  int64
	wasted     int64
	efficiency float64
}{
	0:  {1398, 0, 0.9977064220183486},
	1:  {3899, 274, 0.73046875},
	2:  {4445, 324, 0.84},
	3:  {976, 0, 1},
	4:  {4510, 506, 0.7731958762886598},
	5:  {701, 0, 1},
	6:  {1023, 502, 0.18314424635332252},
	7:  {1221, 416, 0.43724696356275305},
	8:  {2661, 1443, 0.292894280762565},
	9:  {3294, 1670, 0.41273408239700377},
	10: {2099, 0, 1},
	11: {1673, 690, 0.3689497716894977},
	12: {3648, 532, 0.7489401789919925},
	13: {2427, 430, 0.20232558139534884},
	14: {3085, 0, 0.9971883786316776},
}

func TestDiveCompatibleRandom(t *testing.T) {
	for seed, want := range randomMeasured {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			res, err := Image(t.Context(), randomImage(t, seed))
			if err != nil {
				t.Fatalf("Image() = %v", err)
			}
			if res.SizeBytes != want.sizeBytes || res.WastedBytes != want.wasted || res.Efficiency != want.efficiency {
				t.Errorf("size, wasted, efficiency = %d, %d, %v; dive: %d, %d, %v",
					res.SizeBytes, res.WastedBytes, res.Efficiency, want.sizeBytes, want.wasted, want.efficiency)
			}
		})
	}
}
