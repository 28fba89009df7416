package redact

import (
	"io"
	"sync"
)

// Writer passes what is written to it through String on to another writer. A piece of text that may be the
// start of a secret is held back until the next Write shows what follows it, or until Flush; so a secret
// written in two pieces is still removed. Safe for concurrent use.
type Writer struct {
	mu   sync.Mutex
	w    io.Writer
	held []byte
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write scrubs p and writes it on, except the end that may begin a secret. It reports len(p) on success.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := []byte(String(string(w.held) + string(p)))
	k := heldBack(out)
	w.held = append(w.held[:0], out[len(out)-k:]...)
	if _, err := w.w.Write(out[:len(out)-k]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is held back.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.held) == 0 {
		return nil
	}
	held := String(string(w.held))
	w.held = w.held[:0]
	_, err := io.WriteString(w.w, held)
	return err
}

// Unwrap returns the writer written to, so a caller can ask whether it is a terminal.
func (w *Writer) Unwrap() io.Writer { return w.w }

// Reader passes what it reads from another reader through String, holding back a piece that may be the start
// of a secret until the next read shows what follows.
type Reader struct {
	r    io.Reader
	buf  []byte
	out  []byte // scrubbed, ready
	held []byte // scrubbed, may begin a secret
	err  error
}

// NewReader returns a Reader that reads from r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r} }

func (r *Reader) Read(p []byte) (int, error) {
	for len(r.out) == 0 && r.err == nil {
		if r.buf == nil {
			r.buf = make([]byte, 32<<10)
		}
		n, err := r.r.Read(r.buf)
		if n == 0 && err == nil {
			continue
		}
		text := []byte(String(string(r.held) + string(r.buf[:n])))
		k := 0
		if err == nil {
			k = heldBack(text)
		}
		r.out = text[:len(text)-k]
		r.held = append([]byte(nil), text[len(text)-k:]...)
		r.err = err
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	if len(r.out) == 0 && r.err != nil {
		return n, r.err
	}
	return n, nil
}
