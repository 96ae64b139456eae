package baseimage

import "testing"

func TestEmbeddedParses(t *testing.T) {
	k := Embedded()
	if k.AsOf.IsZero() || len(k.PythonSeries) == 0 || len(k.OS) == 0 || len(k.Images) == 0 {
		t.Fatalf("Embedded() = %+v, want populated knowledge", k)
	}
}
