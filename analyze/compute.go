package analyze

import (
	"github.com/pyimg/pyimg/layers"
)

// Result computes the analysis from everything seen during the walk. Call
// it once layers.Walk has returned without error.
func (a *Analyzer) Result() (*Result, error) {
	ls, err := a.orderedLayers()
	if err != nil {
		return nil, err
	}
	t := a.paths
	res := &Result{}

	for _, d := range ls {
		l := Layer{
			Index:           d.info.Index,
			CreatedBy:       redactCommand(d.info.CreatedBy),
			SizeBytes:       d.sizeBytes,
			TarBytes:        d.stats.TarBytes,
			CompressedBytes: d.info.CompressedSize,
		}
		if d.info.Digest.Hex != "" {
			l.Digest = d.info.Digest.String()
		}
		if d.info.DiffID.Hex != "" {
			l.DiffID = d.info.DiffID.String()
		}
		for i := range d.recs {
			r := &d.recs[i]
			switch {
			case r.whiteout():
				l.Deletions++
			case r.opaque(), r.kind == layers.TypeDir:
			default:
				l.Files++
			}
		}
		res.SizeBytes += l.SizeBytes
		if l.Index > 0 {
			res.UserSizeBytes += l.SizeBytes
		}
		res.TarBytes += l.TarBytes
		res.CompressedBytes += l.CompressedBytes
		res.Layers = append(res.Layers, l)
	}
	if res.Layers == nil {
		res.Layers = []Layer{}
	}

	w := computeWaste(t, ls)
	res.Efficiency = w.efficiency
	res.WastedBytes = w.wasted
	if res.UserSizeBytes > 0 {
		res.WastedUserPercent = float64(w.wasted) / float64(res.UserSizeBytes)
	}
	res.WastedFiles = []WastedFile{}
	byNode := make(map[nodeID]inefficiency, len(w.ineff))
	wasted := make(map[nodeID]int64, len(w.ineff))
	ids := make([]nodeID, 0, len(w.ineff))
	for _, in := range w.ineff {
		byNode[in.node] = in
		wasted[in.node] += in.size
		ids = append(ids, in.node)
	}
	for _, n := range topN(t, ids, func(n nodeID) int64 { return byNode[n].size }, a.opts.top) {
		in := byNode[n]
		res.WastedFiles = append(res.WastedFiles, WastedFile{Path: t.path(n), Count: int(in.count), SizeBytes: in.size})
	}

	f := buildFinalFS(t, ls, a.changes)
	res.Files = len(f.files)
	res.FinalBytes = f.bytes
	res.BiggestFiles = f.biggestFiles(a.opts.top)
	res.BiggestDirs = f.biggestDirs(a.opts.top)
	res.Tree = tree(f, wasted)
	res.Interpreters = a.interpreters(f)
	res.PythonPackages = a.pythonPackages(f)
	res.Leftovers = a.leftovers(f)
	res.Security = a.security(f, ls)
	res.User = res.Security.User
	res.Findings = a.findings(res, ls)
	return res, nil
}
