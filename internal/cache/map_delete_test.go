package cache

import "testing"

func TestMapDeleteFunc(t *testing.T) {
	var m Map[string, int]
	l := Limit{Max: 8}
	for i, k := range []string{"T1", "T12", "T1:C1"} {
		m.Put(k, i, l)
	}
	m.DeleteFunc(func(k string, _ int) bool { return k == "T1" || k == "T1:C1" })
	if _, ok := m.Get("T12"); !ok || m.Len() != 1 {
		t.Fatalf("%d entries left, T12 kept %v; want only T12", m.Len(), ok)
	}
	var empty Map[string, int]
	empty.DeleteFunc(func(string, int) bool { return true }) // the zero Map
}
