package main

import (
	"io/fs"
	"runtime/debug"
	"testing"
)

func TestSetMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	for _, tc := range []struct {
		name  string
		files map[string]string
		env   string
		want  int64
	}{
		{"cgroup v2, 256 MiB", map[string]string{cgroupLimits[0]: "268435456\n"}, "", 214748360},
		{"cgroup v2, no limit", map[string]string{cgroupLimits[0]: "max\n"}, "", 0},
		{"cgroup v1, 512 MiB", map[string]string{cgroupLimits[1]: "536870912\n"}, "", 429496728},
		{"cgroup v1, no limit", map[string]string{cgroupLimits[1]: "9223372036854771712\n"}, "", 0},
		{"no cgroup", nil, "", 0},
		{"garbage", map[string]string{cgroupLimits[0]: "lots"}, "", 0},
		{"GOMEMLIMIT set by the operator", map[string]string{cgroupLimits[0]: "268435456"}, "100MiB", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOMEMLIMIT", tc.env)
			debug.SetMemoryLimit(1 << 40)
			got := setMemoryLimit(func(p string) ([]byte, error) {
				if s, ok := tc.files[p]; ok {
					return []byte(s), nil
				}
				return nil, fs.ErrNotExist
			})
			if got != tc.want {
				t.Fatalf("limit %d; want %d", got, tc.want)
			}
			if now := debug.SetMemoryLimit(-1); tc.want != 0 && now != tc.want || tc.want == 0 && now != 1<<40 {
				t.Errorf("the runtime's limit is %d", now)
			}
		})
	}
}

func FuzzParseCgroupLimit(f *testing.F) {
	for _, s := range []string{"268435456\n", "max\n", "9223372036854771712", "", "-1", " 42 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseCgroupLimit(s)
		if ok && n <= 0 || !ok && n != 0 {
			t.Fatalf("%q: %d, %t", s, n, ok)
		}
	})
}
