// Package dialogs is caisbot's domain: the CAIS onboarding roadmap
// (embedded YAML, validated strictly at start-up), a firm's progress along
// it, and the pure flow that turns (progress, event, time) into the next
// progress and a reply. A platform adapter turns what a user typed or
// clicked into a Command or a button token and calls Service, which loads
// the firm's progress from its Store, applies the flow, and commits the new
// progress together with one sealed audit Entry (hash-chained to the one
// before) by compare-and-set, retrying on a concurrent change so every
// transition sees the state it is written over; a stale or double click
// meets the version its token carries and is answered with the truth. The
// Reply that comes back is platform-neutral text in a small markup (bold,
// links, mentions, "{cmd}") with choices, forms and files, which each
// adapter renders for its own platform. dialogs imports no chat platform,
// no HTTP and no Redis; firms are named by package firm.
package dialogs
