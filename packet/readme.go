package packet

import (
	"fmt"
	"strings"

	"github.com/caisbot/caisbot/dialogs"
)

// chainScript recomputes audit.csv's hash chain with Python 3's standard
// library alone; README.txt carries it and a test runs it.
const chainScript = `import csv, hashlib, json

prev, broken = "", 0
with open("audit.csv", newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        fields = [int(row["seq"]), row["at_utc"], row["user"], row["action"],
                  row["step"], row["choice"], row["detail"],
                  int(row["card_version"]), int(row["version"]), row["prev_hash"]]
        if row["roadmap"] or row["name"]:
            fields += [row["roadmap"], row["name"]]
        text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        ok = digest == row["hash"] and row["prev_hash"] == prev
        broken += not ok
        print(row["seq"], "OK" if ok else "BROKEN")
        prev = row["hash"]
print("chain intact" if broken == 0 else "%d entries BROKEN" % broken)
`

// Readme is README.txt: what the packet holds and how to check it
// without caisbot.
func Readme(in dialogs.PacketInput, files []RoadmapFile) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	w("CAIS exam packet — %s", firmWords(in))
	w("Made %s by caisbot.", in.Made.In(in.Loc).Format("January 2, 2006 at 15:04 MST"))
	w(zoneLine, in.Loc.String())
	w(formatLine, dialogs.ReadableFormat)
	w(summaryLine)
	w("")
	w("WHAT IS IN THIS PACKET")
	w("  %-24s a readable summary: the firm; each onboarding step as the roadmap words it,", SummaryName)
	w("  %-24s who confirmed and who approved it (display name and user id) and when, its", "")
	w("  %-24s evidence and waits, the answer chosen at each branch; the result of the", "")
	w("  %-24s record check when the packet was made; every audit entry in words.", "")
	w("  %-24s the full audit trail, one row per entry, hash chain included (the same", CSVName)
	w("  %-24s file as `/cais-next export`).", "")
	w("  %-24s the same entries, one JSON object per line, exactly as caisbot stores them.", JSONLName)
	for i, f := range files {
		if f.Name != "" {
			w("  %-24s the roadmap text %s, byte for byte.", f.Name, in.Roadmaps[i].Ref)
		}
	}
	w("  %-24s the SHA-256 of every other file.", ManifestName)
	w("  %-24s this file.", ReadmeName)
	w("")
	w("Display names are those the chat platform showed when each entry was made; a name")
	w("marked \"looked up\" in summary.pdf belongs to an entry that recorded none (written by an")
	w("older build) and was asked of the platform when the packet was made. User ids are exact.")
	w("summary.pdf prints a character its font cannot draw (an emoji, for one) as its code")
	w("point, such as [U+1F680]; audit.csv and audit.jsonl keep every character as typed.")
	w("")
	w("1. CHECK THAT NO FILE WAS CHANGED")
	w("   In the folder where the zip was unpacked:")
	w("     Linux:   sha256sum -c %s", ManifestName)
	w("     macOS:   shasum -a 256 -c %s", ManifestName)
	w("     Windows: Get-FileHash -Algorithm SHA256 <file> (PowerShell), compared with its line.")
	w("   Every file must be reported OK. The manifest shows the files are the ones packed")
	w("   together; that the trail itself is unbroken is step 2.")
	w("")
	readmeChain(w)
	readmeRoadmaps(w, in, files)
	w("4. WITH CAISBOT")
	w("   `caisbot verify-packet %s` does steps 1 to 3, checks that audit.csv holds the", in.FileName)
	w("   entries of audit.jsonl (its readable columns too, where it can rebuild them) and")
	w("   that summary.pdf names the same trail in its Subject (pdfinfo summary.pdf, or a PDF")
	w("   reader's document properties), which reads")
	w("     %s", trailSubject(in.Entries))
	w("   It prints one line: the summary when everything checks, else the first problem.")
	w("   No tool checks what summary.pdf's pages print: compare its \"Audit trail\" line")
	w("   (entries, latest hash) with the Subject above.")
	w("")
	readmeCheck(w, in.Check)
	return b.String()
}

func readmeChain(w func(string, ...any)) {
	w("2. RECOMPUTE THE HASH CHAIN")
	w("   Each row of %s carries the SHA-256 of the entry before it (prev_hash; empty for", CSVName)
	w("   the first) and its own (hash). hash is the hex SHA-256 of a compact JSON array (no")
	w("   spaces; numbers as numbers; strings as JSON strings, UTF-8, with <, > and & as")
	w("   themselves and U+2028, U+2029 written \\u2028, \\u2029) built from the row's own columns.")
	w("   The row says which array:")
	w("   - roadmap and name both empty (an entry written by a caisbot build older than entries")
	w("     naming their roadmap — the only kind those builds wrote): ten fields")
	w("       [seq, at_utc, user, action, step, choice, detail, card_version, version, prev_hash]")
	w("   - otherwise: twelve fields")
	w("       [seq, at_utc, user, action, step, choice, detail, card_version, version, prev_hash,")
	w("        roadmap, name]")
	w("   Blanking an entry's roadmap and name does not move it to the ten-field recipe: its")
	w("   hash then no longer matches. Every column but at_local, step_title and")
	w("   detail_readable is the stored text byte for byte. This Python 3 script, run next to")
	w("   %s, prints OK or BROKEN for each entry:", CSVName)
	w("")
	for _, line := range strings.Split(strings.TrimSuffix(chainScript, "\n"), "\n") {
		w("     %s", line)
	}
	w("")
	w("   The latest hash should also equal the one the firm reported before, if it did: a")
	w("   chain is only as trustworthy as its last hash's copy kept elsewhere.")
	w("")
}

func readmeRoadmaps(w func(string, ...any), in dialogs.PacketInput, files []RoadmapFile) {
	w("3. THE ROADMAPS")
	w("   The roadmap column names the roadmap an entry was made against as")
	w("   <version>@sha256:<hex>; its text is the roadmap-*.yaml file whose SHA-256 is <hex>")
	w("   (sha256sum roadmap-*.yaml):")
	shared := false
	for i, r := range in.Roadmaps {
		switch {
		case r.BeforeRefs:
			continue
		case files[i].Name != "":
			w("     %s  ->  %s", r.Ref, files[i].Name)
			shared = shared || files[i].Shared
		default:
			w("     %s  ->  NOT IN THIS PACKET: %s", r.Ref, r.Missing)
		}
	}
	if shared {
		w("   Two roadmap texts carry the same version name; their file names add the first 12")
		w("   hex digits of their SHA-256 to tell them apart.")
	}
	for _, r := range in.Roadmaps {
		if r.BeforeRefs {
			w("   Entries with an empty roadmap column were written by a caisbot build from before")
			w("   entries named their roadmap; they were made against the roadmap that build")
			w("   embedded, which is %s (SHA-256 %s), and caisbot checked", BeforeRefsName, r.SHA256)
			w("   them against it.")
		}
	}
	w("")
}

func readmeCheck(w func(string, ...any), c dialogs.PacketCheck) {
	if c.Intact {
		w("When the packet was made, caisbot found the record intact: %s, chained, and the", nounsOf(c.Entries, "entry", "entries"))
		w("stored progress equal to what they record. Latest hash: %s", orNone(c.Head))
		return
	}
	w("WHEN THE PACKET WAS MADE, THE RECORD FAILED ITS CHECK:")
	for _, p := range c.Problems {
		w("  - %s", p)
	}
}

func firmWords(in dialogs.PacketInput) string {
	if in.Profile != nil {
		return in.Profile.Name + " (CRD " + in.Profile.CRD + ")"
	}
	return in.Firm
}

func nounsOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func orNone(s string) string {
	if s == "" {
		return "(none: the trail is empty)"
	}
	return s
}
