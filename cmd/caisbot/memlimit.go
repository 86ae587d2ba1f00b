package main

import (
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// cgroupLimits are where a container's memory limit can be read: cgroup
// v2, then v1.
var cgroupLimits = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// setMemoryLimit gives the garbage collector a soft limit of 80% of the
// container's memory limit, unless GOMEMLIMIT is set or there is no limit.
// With gcPercent at 400 the heap may otherwise grow to five times what is
// live, past a pod's limit when Slack hangs and background sends pile up;
// near the limit the collector runs more often instead. It returns the
// limit set, or 0.
func setMemoryLimit(read func(string) ([]byte, error)) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	for _, path := range cgroupLimits {
		b, err := read(path)
		if err != nil {
			continue
		}
		if limit, ok := parseCgroupLimit(string(b)); ok {
			soft := limit / 10 * 8
			debug.SetMemoryLimit(soft)
			return soft
		}
		return 0
	}
	return 0
}

// parseCgroupLimit reads a memory limit file: a byte count, or "max" (v2)
// or a number near the int64 maximum (v1) for none.
func parseCgroupLimit(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 || n >= math.MaxInt64/2 {
		return 0, false
	}
	return n, true
}
