package data

import (
	"io"
	"time"
)

// SiteLog returns a reader of a construction-site log of exactly size bytes, generated as it is read: memory
// stays constant whatever the size, and the same seed gives the same bytes however the reader is read.
//
// The log is a sequence of records, each followed by one blank line:
//
//	timestamp: 2025-03-03T06:12:40Z
//	site: Riverside Depot
//	crew: concrete-2
//	event: pour_started
//	note: Pour started on level 4, grid C-7; 32 m3 planned, pump set up by 07:15.
//	action: Photos uploaded; concrete-2 to confirm the fix by end of week.
//
// The action line appears in about one record in four. About one note in 50 is a long line of 1–6 KiB. Records
// average roughly 300 bytes. Timestamps increase (1 s to 5 min apart) from 2025-03-03T06:00:00Z.
//
// Like a real site diary, the log repeats itself: one record in RoutineEvery is a routine entry — gates opened,
// the daily toolbox talk, the scaffold inspection, housekeeping, the weather check, site secured — written the
// same way every time, so that apart from its timestamp it repeats an earlier record of its site word for word:
//
//	timestamp: 2025-03-03T07:41:09Z
//	site: Riverside Depot
//	crew: safety
//	event: toolbox_talk
//	note: Daily toolbox talk held: working at height, exclusion zones and today's lifts; attendance signed.
//
// There are RoutineEntries distinct routine entries (one per site and routine), so a cache of that many answers,
// keyed by the record without its timestamp, answers all but the first of each.
//
// Every record is whole except the last, whose note is cut short (possibly mid-word) so the total is exactly
// size bytes; it still ends with a blank line. A size too small for one record's header (under about 130
// bytes) gives just the first size bytes of a record. size ≤ 0 gives an empty reader.
func SiteLog(size int64, seed int64) io.Reader {
	return &siteLog{left: max(size, 0), r: newRNG(seed, 1), t: logEpoch, day: -1}
}

var logEpoch = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC).Unix()

// minRecord is more than the longest header plus the smallest note: a record is only emitted whole when at
// least this much room would remain after it, so the last record always fits its header.
const minRecord = 200

var (
	noteTemplates   [][]template
	actionTemplates = parseTemplates(actions)
)

func init() {
	noteTemplates = make([][]template, len(events))
	for i, e := range events {
		noteTemplates[i] = parseTemplates(e.notes)
	}
}

type siteLog struct {
	left    int64 // bytes still to hand out, buffered ones included
	buf     []byte
	off     int
	r       rng
	t       int64 // unix seconds of the current record
	day     int64 // days since epoch of dateBuf
	dateBuf [11]byte
}

func (l *siteLog) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if l.off == len(l.buf) {
			if l.left == 0 {
				break
			}
			l.fill()
		}
		c := copy(p[n:], l.buf[l.off:])
		l.off += c
		n += c
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// fill generates records into buf, up to about 32 KiB at a time.
func (l *siteLog) fill() {
	l.buf, l.off = l.buf[:0], 0
	for len(l.buf) < 32<<10 && l.left > 0 {
		start := len(l.buf)
		l.buf = l.record(l.buf)
		if n := int64(len(l.buf) - start); l.left-n >= minRecord {
			l.left -= n
			continue
		}
		// Not enough room after this record for another: make this one the last, exactly filling the rest.
		l.buf = l.last(l.buf[:start], int(l.left))
		l.left = 0
	}
}

func (l *siteLog) header(dst []byte) ([]byte, int) {
	l.t += 1 + int64(l.r.intn(300))
	dst = append(dst, "timestamp: "...)
	dst = l.stamp(dst)
	dst = append(dst, "Z\nsite: "...)
	dst = append(dst, pick(&l.r, sites)...)
	dst = append(dst, "\ncrew: "...)
	dst = append(dst, pick(&l.r, crews)...)
	ev := l.r.intn(len(events))
	dst = append(dst, "\nevent: "...)
	dst = append(dst, events[ev].name...)
	dst = append(dst, "\nnote: "...)
	return dst, ev
}

// RoutineEvery is the rate of routine entries: one record in RoutineEvery, on average. RoutineEntries is the
// number of distinct routine entries.
const RoutineEvery = 4

// RoutineEntries is how many different routine entries a log has: one per site and routine.
var RoutineEntries = len(sites) * len(routines)

func (l *siteLog) record(dst []byte) []byte {
	if l.r.intn(RoutineEvery) == 0 {
		return l.routine(dst)
	}
	dst, ev := l.header(dst)
	dst = pick(&l.r, noteTemplates[ev]).fill(dst, &l.r, l.minute())
	if l.r.intn(50) == 0 { // a long line: the note goes on and on
		for range 10 + l.r.intn(50) {
			dst = append(dst, ' ')
			dst = l.sentence(dst)
		}
	}
	if l.r.intn(4) == 0 {
		dst = append(dst, "\naction: "...)
		dst = pick(&l.r, actionTemplates).fill(dst, &l.r, l.minute())
	}
	return append(dst, "\n\n"...)
}

// routine appends a routine entry: a timestamp, then always the same words for its site and routine.
func (l *siteLog) routine(dst []byte) []byte {
	l.t += 1 + int64(l.r.intn(300))
	dst = append(dst, "timestamp: "...)
	dst = l.stamp(dst)
	dst = append(dst, "Z\nsite: "...)
	dst = append(dst, pick(&l.r, sites)...)
	r := pick(&l.r, routines)
	dst = append(dst, "\ncrew: "...)
	dst = append(dst, r.crew...)
	dst = append(dst, "\nevent: "...)
	dst = append(dst, r.event...)
	dst = append(dst, "\nnote: "...)
	dst = append(dst, r.note...)
	return append(dst, "\n\n"...)
}

// last appends a final record of exactly n bytes.
func (l *siteLog) last(dst []byte, n int) []byte {
	start := len(dst)
	dst, ev := l.header(dst)
	if room := n - (len(dst) - start) - 2; room >= 0 {
		dst = pick(&l.r, noteTemplates[ev]).fill(dst, &l.r, l.minute())
		for len(dst)-start < n-2 {
			dst = append(dst, ' ')
			dst = l.sentence(dst)
		}
		dst = append(dst[:start+n-2], "\n\n"...)
		return dst
	}
	return dst[:start+n] // only when size itself is smaller than a header
}

func (l *siteLog) minute() int { return int(l.t % 86400 / 60) }

func (l *siteLog) sentence(dst []byte) []byte {
	ev := l.r.intn(len(events))
	return pick(&l.r, noteTemplates[ev]).fill(dst, &l.r, l.minute())
}

// stamp appends the current time as 2025-03-03T06:12:40 without time.Format, which would allocate.
func (l *siteLog) stamp(dst []byte) []byte {
	day, sec := l.t/86400, l.t%86400
	if day != l.day {
		l.day = day
		y, m, d := time.Unix(l.t, 0).UTC().Date()
		b := append2(append2(l.dateBuf[:0], y/100), y%100)
		b = append2(append(b, '-'), int(m))
		_ = append(append2(append(b, '-'), d), 'T')
	}
	dst = append(dst, l.dateBuf[:]...)
	dst = append2(dst, int(sec/3600))
	dst = append(dst, ':')
	dst = append2(dst, int(sec/60%60))
	dst = append(dst, ':')
	return append2(dst, int(sec%60))
}
