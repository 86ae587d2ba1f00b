package packet

import (
	"fmt"
	"io"
)

// Command runs `caisbot verify-packet FILE.zip` with args (the words after
// "verify-packet"): exit code 0 and the one-line summary on stdout when
// the packet checks, 1 and its first problem on stderr when not, 2 for a
// usage error.
func Command(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] == "" || args[0][0] == '-' {
		fmt.Fprintln(stderr, "usage: caisbot verify-packet FILE.zip")
		return 2
	}
	summary, err := Verify(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "verify-packet: %s: %v\n", args[0], err)
		return 1
	}
	fmt.Fprintln(stdout, summary)
	return 0
}
