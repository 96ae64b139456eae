// Package sbomtest validates SBOM documents against the official JSON
// schemas (SPDX 2.3, CycloneDX 1.6) kept in sbom/testdata/schemas. It is
// for tests: it reads the schemas from the source tree.
package sbomtest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema URLs, as the schemas' own $id name them.
const (
	SPDX23      = "http://spdx.org/rdf/terms/2.3"
	CycloneDX16 = "http://cyclonedx.org/schema/bom-1.6.schema.json"
)

var files = map[string]string{
	SPDX23:      "spdx-schema.json",
	CycloneDX16: "bom-1.6.schema.json",
	"http://cyclonedx.org/schema/spdx.schema.json":     "spdx.schema.json",
	"http://cyclonedx.org/schema/jsf-0.82.schema.json": "jsf-0.82.schema.json",
}

var (
	once    sync.Once
	schemas map[string]*jsonschema.Schema
	loadErr error
)

// Dir returns the directory holding the schema files.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "schemas")
}

func load() {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for url, name := range files {
		b, err := os.ReadFile(filepath.Join(Dir(), name))
		if err != nil {
			loadErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			loadErr = fmt.Errorf("parsing %s: %w", name, err)
			return
		}
		if err := c.AddResource(url, doc); err != nil {
			loadErr = fmt.Errorf("adding %s: %w", name, err)
			return
		}
	}
	schemas = map[string]*jsonschema.Schema{}
	for _, url := range []string{SPDX23, CycloneDX16} {
		s, err := c.Compile(url)
		if err != nil {
			loadErr = fmt.Errorf("compiling %s: %w", url, err)
			return
		}
		schemas[url] = s
	}
}

// Validate checks the JSON document doc against the schema at url (SPDX23
// or CycloneDX16). The error lists every violation.
func Validate(url string, doc []byte) error {
	once.Do(load)
	if loadErr != nil {
		return loadErr
	}
	s := schemas[url]
	if s == nil {
		return errors.New("sbomtest: unknown schema " + url)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("parsing document: %w", err)
	}
	return s.Validate(inst)
}
