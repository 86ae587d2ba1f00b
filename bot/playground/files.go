package playground

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// fileTypes are the types of the files caisbot shares, whatever the
// host's mime.types says: the exam packet must download as a zip.
var fileTypes = map[string]string{"zip": "application/zip", "csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}

// files.getUploadURLExternal: a file ID and an upload URL of ours.
func (p *Playground) filesGetUploadURLExternal(a apiArgs) jsonObject {
	name := a.str("filename")
	size, err := strconv.Atoi(a.str("length"))
	switch {
	case name == "" || err != nil || size <= 0:
		return fail("invalid_arguments", "filename and a positive length are required")
	case size > maxFileSize:
		return fail("file_too_large")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	id := p.st.nextID("F")
	ext := strings.TrimPrefix(path.Ext(name), ".")
	mt := fileTypes[strings.ToLower(ext)]
	if mt == "" {
		mt = mime.TypeByExtension(path.Ext(name))
	}
	if mt == "" {
		mt = "application/octet-stream"
	}
	p.st.addFile(&storedFile{File: File{
		ID: id, Name: name, Title: name, Mimetype: mt, Filetype: ext, Size: size,
		URL: p.cfg.BaseURL + "/playground/files/" + id + "/" + url.PathEscape(name),
	}})
	return jsonObject{"upload_url": p.cfg.BaseURL + "/playground/upload/" + id, "file_id": id}
}

// handleUpload takes the file's bytes: multipart (field "file", as slack-go
// sends) or the raw body.
func (p *Playground) handleUpload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	content, err := readUpload(w, r)
	if err != nil {
		p.note(LogEntry{Kind: "upload", Name: id, Detail: err.Error()})
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	f, ok := p.st.files[id]
	if ok {
		f.content, f.uploaded, f.Size = content, true, len(content)
	}
	p.mu.Unlock()
	if !ok {
		p.note(LogEntry{Kind: "upload", Name: id, Detail: "unknown upload URL"})
		http.Error(w, "unknown upload URL", http.StatusNotFound)
		return
	}
	p.note(LogEntry{Kind: "upload", Name: f.Name, OK: true, Detail: fmt.Sprintf("%d bytes", len(content))})
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "OK - %d", len(content))
}

func readUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFileSize+1<<20)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return io.ReadAll(r.Body)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("no file part in the upload")
		}
		if err != nil {
			return nil, err
		}
		if part.FormName() == "file" {
			return io.ReadAll(io.LimitReader(part, maxFileSize+1))
		}
	}
}

// files.completeUploadExternal: shares the uploaded files in the channel as
// one message from the bot.
func (p *Playground) filesCompleteUploadExternal(a apiArgs) jsonObject {
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal(a.raw("files"), &list); err != nil || len(list) == 0 {
		return fail("invalid_arguments", "files must be a JSON array of {id, title}")
	}
	chArg := a.str("channel_id")
	if chArg == "" {
		chArg, _, _ = strings.Cut(a.str("channels"), ",")
	}
	ch, dm := "", ""
	if chArg != "" {
		var ok bool
		if dm, ok = p.dmUser(chArg); ok {
			ch = chArg
		} else if ch, ok = p.channel(chArg); !ok {
			return fail("channel_not_found")
		}
	}
	c, bad := readContent(a.str("initial_comment"), true, a.raw("blocks"), nil)
	if bad != nil {
		return bad
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	var shared []File
	var summary []any
	for _, it := range list {
		f, ok := p.st.files[it.ID]
		if !ok || !f.uploaded {
			return fail("file_not_found")
		}
		if it.Title != "" {
			f.Title = it.Title
		}
		f.channel = ch
		shared = append(shared, f.File)
		summary = append(summary, jsonObject{"id": f.ID, "title": f.Title})
	}
	if ch != "" {
		// A direct message shows in the page to its one reader only.
		p.st.addMessage(&Message{
			TS: p.st.nextTS(time.Now()), Channel: ch, User: BotUserID, BotID: BotID,
			Text: c.text, Blocks: c.blocks, Files: shared, ThreadTS: a.str("thread_ts"),
			Ephemeral: dm != "", VisibleTo: dm,
		})
		p.st.bump()
	}
	return jsonObject{"files": summary}
}

// handleDownload serves a shared file as an attachment, never rendered in
// the page's origin.
func (p *Playground) handleDownload(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	f, ok := p.st.files[r.PathValue("id")]
	var content []byte
	var file File
	if ok && f.uploaded {
		content, file = f.content, f.File
	}
	p.mu.Unlock()
	if content == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", file.Mimetype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": file.Name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	http.ServeContent(w, r, file.Name, time.Time{}, bytes.NewReader(content))
}
