package announce

import "time"

// pacer spaces one workspace's posts: Limits.Workspace apart in the
// workspace, Limits.Channel apart in each channel, and none while a 429's
// Retry-After runs. Only the workspace's worker touches it.
//
// The workspace's posts keep to a grid: each is due a gap after the one
// before was due, not after it was sent, so a timer that fires a little
// late does not slow every later post. A post that went out late may
// therefore be followed after less than a full gap, but never less than
// three quarters of one, and never more than one post per gap on
// average: a token bucket with a quarter-gap burst, well within the
// "short bursts" Slack allows.
type pacer struct {
	lim      Limits
	next     time.Time            // earliest next post in the workspace
	channels map[string]time.Time // earliest next post per channel
}

func newPacer(lim Limits) *pacer { return &pacer{lim: lim, channels: map[string]time.Time{}} }

// readyAt is the earliest time channel may take the next post.
func (p *pacer) readyAt(channel string) time.Time { return later(p.next, p.channels[channel]) }

// book records a post sent to channel at t. It returns the channel's
// previous booking, for unbook.
func (p *pacer) book(channel string, t time.Time) time.Time {
	prev := p.channels[channel]
	gap := p.lim.Workspace
	if p.next.IsZero() || t.Sub(p.next) > gap {
		p.next = t.Add(gap) // after a pause: a fresh grid, a full gap on
	} else {
		p.next = later(p.next.Add(gap), t.Add(gap-gap/4))
	}
	p.channels[channel] = t.Add(p.lim.Channel)
	return prev
}

// unbook gives a channel back its booking when the post was refused
// with a 429: nothing reached the channel, so it need not rest.
func (p *pacer) unbook(channel string, prev time.Time) { p.channels[channel] = prev }

// pause holds the whole workspace until t: Slack's Retry-After covers
// the method for every channel of the workspace.
func (p *pacer) pause(t time.Time) { p.next = later(p.next, t) }

// earliest is the first time any of jobs' channels may take a post.
func (p *pacer) earliest(jobs []*job) time.Time {
	e := p.readyAt(jobs[0].occ.Channel)
	for _, j := range jobs[1:] {
		if t := p.readyAt(j.occ.Channel); t.Before(e) {
			e = t
		}
	}
	return e
}

// forget drops channels that have rested enough, so the map holds only
// recent ones across runs.
func (p *pacer) forget(now time.Time) {
	for ch, t := range p.channels {
		if !t.After(now) {
			delete(p.channels, ch)
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
