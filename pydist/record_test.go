package pydist

import (
	"fmt"
	"testing"
)

func TestParseRecordEntries(t *testing.T) {
	got, err := ParseRecordEntries([]byte("a/__init__.py,sha256=abc,12\n\"b,c.py\",sha256=def,0\n\nx.dist-info/RECORD,,\nonly-path\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []RecordEntry{{"a/__init__.py", "sha256=abc", 12}, {"b,c.py", "sha256=def", 0}, {"x.dist-info/RECORD", "", -1}, {"only-path", "", -1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ParseRecordEntries = %v, want %v", got, want)
	}
	for _, bad := range []string{"a,b,c,d\n", "a,sha256=x,-1\n", "a,sha256=x,ten\n", ",sha256=x,1\n", "\"unterminated\n"} {
		if _, err := ParseRecordEntries([]byte(bad)); err == nil {
			t.Errorf("ParseRecordEntries(%q) = nil error", bad)
		}
	}
}
