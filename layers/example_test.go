package layers_test

import (
	"context"
	"fmt"
	"log"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/pyimg/pyimg/layers"
)

// sizes totals the bytes of regular files per layer and keeps the first
// bytes of each file to sniff ELF headers.
type sizes struct {
	mu    sync.Mutex
	bytes map[int]int64
	elf   int
}

func (s *sizes) VisitLayer(l layers.Layer) layers.LayerVisitor {
	return &layerSizes{s: s, layer: l.Index}
}

type layerSizes struct {
	s     *sizes
	layer int
	elf   int
}

func (l *layerSizes) Want(e *layers.Entry) int64 { return 4 } // the ELF magic

func (l *layerSizes) Entry(e *layers.Entry, content []byte) error {
	if e.Flags.Has(layers.FlagEscape) {
		return fmt.Errorf("%q escapes the root", e.Name)
	}
	if string(content) == "\x7fELF" {
		l.elf++
	}
	return nil
}

func (l *layerSizes) Done(st layers.Stats) error {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	l.s.bytes[l.layer] = st.FileBytes
	l.s.elf += l.elf
	return nil
}

func ExampleWalk() {
	img, err := random.Image(1024, 3)
	if err != nil {
		log.Fatal(err)
	}
	s := &sizes{bytes: map[int]int64{}}
	if err := layers.Walk(context.Background(), img, []layers.Visitor{s}, layers.WithConcurrency(2)); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(s.bytes), "layers,", s.bytes[0], "bytes in layer 0,", s.elf, "ELF files")
	// Output: 3 layers, 1024 bytes in layer 0, 0 ELF files
}
