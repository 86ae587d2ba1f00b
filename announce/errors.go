package announce

import (
	"fmt"
	"time"
)

// RateLimited means the platform refused the call for now (Slack: 429).
// Nothing was posted. After is the Retry-After wait; 0 if none was given.
// The wait applies to the whole workspace, as Slack's does.
type RateLimited struct{ After time.Duration }

func (e *RateLimited) Error() string { return fmt.Sprintf("rate limited (retry after %s)", e.After) }

// Gone means the channel will take no posts from the bot (removed,
// deleted, archived). Nothing was posted; the subscription ends with
// Reason, in words for the audit trail.
type Gone struct{ Reason string }

func (e *Gone) Error() string { return "channel gone: " + e.Reason }

// Refused means the platform rejected this post for good (bad content);
// nothing was posted and trying again cannot help.
type Refused struct{ Reason string }

func (e *Refused) Error() string { return "post refused: " + e.Reason }
