package cache

import (
	"bytes"
	"testing"
)

type inner struct {
	S string
	N int
}

type outer struct {
	A  string
	B  []string
	P  *inner
	M  map[string]int
	F  float64
	OK bool
	L  []inner
	Y  []byte
	U  uint8
}

func TestAppendKeyTellsValuesApart(t *testing.T) {
	base := outer{A: "a", B: []string{"x", "y"}, P: &inner{"s", 1}, M: map[string]int{"k": 1, "j": 2}, F: 1.5, OK: true, L: []inner{{"l", 2}}, Y: []byte("y"), U: 3}
	variants := map[string]func(o *outer){
		"string":            func(o *outer) { o.A = "b" },
		"slice element":     func(o *outer) { o.B[1] = "z" },
		"slice boundary":    func(o *outer) { o.B = []string{"xy"} },
		"strings run on":    func(o *outer) { o.B = []string{"x", "y", ""} },
		"nil pointer":       func(o *outer) { o.P = nil },
		"pointed-to field":  func(o *outer) { o.P = &inner{"s", 2} },
		"map value":         func(o *outer) { o.M = map[string]int{"k": 1, "j": 3} },
		"map key":           func(o *outer) { o.M = map[string]int{"k": 1, "i": 2} },
		"float":             func(o *outer) { o.F = 2.5 },
		"bool":              func(o *outer) { o.OK = false },
		"struct in a slice": func(o *outer) { o.L[0].S = "m" },
		"bytes":             func(o *outer) { o.Y = []byte("z") },
		"uint":              func(o *outer) { o.U = 4 },
	}
	clone := func() outer {
		o := base
		o.B = append([]string(nil), base.B...)
		o.L = append([]inner(nil), base.L...)
		return o
	}
	want, ok := AppendKey(nil, base)
	if !ok {
		t.Fatal("plain data not encoded")
	}
	same := clone()
	same.M = map[string]int{"j": 2, "k": 1}
	if got, _ := AppendKey(nil, same); !bytes.Equal(got, want) {
		t.Error("equal values (a map built in another order) encode differently")
	}
	for name, change := range variants {
		o := clone()
		change(&o)
		if got, _ := AppendKey(nil, o); bytes.Equal(got, want) {
			t.Errorf("%s: a different value encodes the same", name)
		}
	}
}

func TestAppendKeyRefusesWhatItCannotRead(t *testing.T) {
	for name, v := range map[string]any{
		"unexported field": struct{ a string }{"x"},
		"func":             struct{ F func() }{func() {}},
		"interface":        struct{ I any }{1},
		"channel":          struct{ C chan int }{nil},
	} {
		if _, ok := AppendKey(nil, v); ok {
			t.Errorf("%s: encoded", name)
		}
	}
}
