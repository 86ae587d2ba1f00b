package dialogs

// readOnly are the commands that never change a firm's record and post
// nothing to the channel: an adapter need not claim their delivery (a
// replay only shows the same thing again). A command missing here is
// claimed once per delivery: it changes the record, or, like export and
// packet, uploads a file that a replayed request would upload twice.
var readOnly = map[string]bool{
	CmdNext: true, CmdStatus: true, CmdHistory: true, CmdVerify: true,
	CmdDeadlines: true, CmdReset: true, CmdHelp: true, CmdUnknown: true, CmdTooLong: true,
	CmdEvidence: true, // it offers the form; submitting the form is the change
	CmdProfile:  true, // likewise
}

// ReadOnly reports whether the command only reads the record ("reset"
// only asks; its button makes the change).
func (c Command) ReadOnly() bool { return readOnly[c.Name] }
