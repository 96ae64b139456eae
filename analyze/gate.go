package analyze

import (
	"fmt"
	"math"
)

// GateOptions are dive's CI thresholds. A zero value disables a gate.
type GateOptions struct {
	// MinEfficiency fails when the efficiency is below it (dive's
	// lowestEfficiency, a ratio 0-1).
	MinEfficiency float64
	// MaxWastedBytes fails when more bytes are wasted (dive's
	// highestWastedBytes).
	MaxWastedBytes int64
	// MaxWastedPercent fails when wasted bytes over the user bytes (all
	// layers but the first) exceed it (dive's highestUserWastedPercent, a
	// ratio 0-1).
	MaxWastedPercent float64
}

// Gate returns a message per violated threshold, with dive's semantics; nil
// when every gate passes.
func (r *Result) Gate(o GateOptions) []string {
	var out []string
	if o.MinEfficiency > 0 && o.MinEfficiency > r.Efficiency {
		out = append(out, fmt.Sprintf("image efficiency is too low (efficiency=%.4f < threshold=%v)", r.Efficiency, o.MinEfficiency))
	}
	if o.MaxWastedBytes > 0 && r.WastedBytes > o.MaxWastedBytes {
		out = append(out, fmt.Sprintf("too many bytes wasted (wasted-bytes=%d > threshold=%d)", r.WastedBytes, o.MaxWastedBytes))
	}
	if o.MaxWastedPercent > 0 {
		// dive divides by the user size without a guard: no user bytes and
		// some waste is +Inf, which fails.
		p := r.WastedUserPercent
		if r.UserSizeBytes == 0 && r.WastedBytes > 0 {
			p = math.Inf(1)
		}
		if p > o.MaxWastedPercent {
			out = append(out, fmt.Sprintf("too many bytes wasted, relative to the user bytes added (user-wasted-ratio=%.4f > threshold=%v)", p, o.MaxWastedPercent))
		}
	}
	return out
}
