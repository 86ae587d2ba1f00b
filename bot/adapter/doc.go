// Package adapter is the kit every chat-platform adapter is built from,
// so that Slack, Teams and any platform after them treat a request alike:
// read the body within MaxBody, start a Request (a logger with a request
// id, and whether the user was shown a failure), turn what the platform
// verified into a firm.ID and a dialogs event, claim the delivery with
// Once if it may change the record, call dialogs.Service, log
// the result with Handled or Failure, answer, and run the sends that
// follow the answer in a Background that shutdown waits for. An Observer
// hears how each request ended (metrics). The replies every platform
// shares — the form limit, a card the platform would not update — are
// here too, so they read the same everywhere.
//
// A new platform is one package beside slackbot and teams: verify and
// decode its requests, render dialogs.Reply in its own markup, and
// implement announce.Poster to post reminders; cmd wires it.
package adapter
