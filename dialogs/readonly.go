package dialogs

// readOnly are the commands that never change a firm's record: an adapter
// need not claim their delivery (a replay only shows the same thing
// again). A command missing here is treated as a change.
var readOnly = map[string]bool{
	CmdNext: true, CmdStatus: true, CmdHistory: true, CmdExport: true, CmdVerify: true,
	CmdDeadlines: true, CmdReset: true, CmdHelp: true, CmdUnknown: true, CmdTooLong: true,
	CmdEvidence: true, // it offers the form; submitting the form is the change
	CmdProfile:  true, // likewise
	CmdPacket:   true, // it reads the record into a file
}

// ReadOnly reports whether the command only reads the record ("reset"
// only asks; its button makes the change).
func (c Command) ReadOnly() bool { return readOnly[c.Name] }
