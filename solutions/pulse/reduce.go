package pulse

import (
	"context"
	"errors"
)

// Reducer makes one summary out of any number of summaries, Group at a time: a tree whose every node summarizes
// Group children. Add takes summaries in order; every Group of them becomes one summary one level up, and so on,
// so memory holds at most Group-1 summaries per level — it grows with the logarithm of the count, not the count.
// Final summarizes what is left. The tree's shape depends only on the number of summaries, so the same
// summaries in the same order make the same requests, whoever runs them.
type Reducer struct {
	Group     int // children per node, at least 2
	Summarize func(ctx context.Context, summaries []string) (string, error)

	levels [][]string
}

// Add adds the next summary.
func (r *Reducer) Add(ctx context.Context, s string) error {
	return r.push(ctx, 0, s)
}

func (r *Reducer) push(ctx context.Context, level int, s string) error {
	if r.Group < 2 {
		return errors.New("pulse: Reducer.Group must be at least 2")
	}
	for len(r.levels) <= level {
		r.levels = append(r.levels, make([]string, 0, r.Group))
	}
	r.levels[level] = append(r.levels[level], s)
	if len(r.levels[level]) < r.Group {
		return nil
	}
	up, err := r.Summarize(ctx, r.levels[level])
	if err != nil {
		return err
	}
	r.levels[level] = r.levels[level][:0]
	return r.push(ctx, level+1, up)
}

// Final returns the summary of everything added: what is left at each level, lowest first, is summarized (or
// carried as it is, if it is one summary) up to the next, until one summary remains. A single summary is its own final summary; none gives "".
func (r *Reducer) Final(ctx context.Context) (string, error) {
	var carry []string
	for level, items := range r.levels {
		items = append(items, carry...)
		carry = nil
		top := level == len(r.levels)-1
		switch {
		case len(items) == 0:
		case top && len(items) == 1:
			return items[0], nil
		case len(items) == 1:
			carry = append(carry, items[0]) // one summary needs no summary: carry it up as it is
		default:
			s, err := r.Summarize(ctx, items)
			if err != nil {
				return "", err
			}
			if top {
				return s, nil
			}
			carry = []string{s}
		}
	}
	return "", nil
}
