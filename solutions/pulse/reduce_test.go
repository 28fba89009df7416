package pulse

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestReducer(t *testing.T) {
	for _, tc := range []struct {
		n, group int
		want     string
		calls    int
	}{
		{0, 4, "", 0},
		{1, 4, "0", 0},
		{2, 4, "(0 1)", 1},
		{4, 4, "(0 1 2 3)", 1},
		{5, 4, "((0 1 2 3) 4)", 2},
		{6, 4, "((0 1 2 3) (4 5))", 3},
		{16, 4, "((0 1 2 3) (4 5 6 7) (8 9 10 11) (12 13 14 15))", 5},
		{17, 4, "(((0 1 2 3) (4 5 6 7) (8 9 10 11) (12 13 14 15)) 16)", 6},
		{9, 2, "((((0 1) (2 3)) ((4 5) (6 7))) 8)", 8},
	} {
		t.Run(fmt.Sprint(tc.n, "/", tc.group), func(t *testing.T) {
			calls := 0
			r := Reducer{Group: tc.group, Summarize: func(_ context.Context, items []string) (string, error) {
				calls++
				if len(items) < 2 || len(items) > tc.group {
					t.Errorf("a node of %d summaries; want 2 to %d", len(items), tc.group)
				}
				return "(" + strings.Join(items, " ") + ")", nil
			}}
			for i := range tc.n {
				if err := r.Add(context.Background(), fmt.Sprint(i)); err != nil {
					t.Fatal(err)
				}
			}
			got, err := r.Final(context.Background())
			if err != nil || got != tc.want || calls != tc.calls {
				t.Errorf("Final = %q, %v after %d calls; want %q after %d", got, err, calls, tc.want, tc.calls)
			}
		})
	}
}

func TestReducerMemoryIsLogarithmic(t *testing.T) {
	r := Reducer{Group: 4, Summarize: func(_ context.Context, items []string) (string, error) { return "s", nil }}
	for range 100_000 {
		r.Add(context.Background(), "x")
	}
	held := 0
	for _, l := range r.levels {
		held += len(l)
	}
	if len(r.levels) > 10 || held > 3*len(r.levels) {
		t.Errorf("after 100,000 summaries: %d levels holding %d; want at most 10 levels of at most 3", len(r.levels), held)
	}
}

func TestReducerErrors(t *testing.T) {
	r := Reducer{Group: 1}
	if err := r.Add(context.Background(), "x"); err == nil {
		t.Error("a group of 1 was accepted")
	}
	boom := fmt.Errorf("model down")
	r = Reducer{Group: 2, Summarize: func(context.Context, []string) (string, error) { return "", boom }}
	r.Add(context.Background(), "a")
	if err := r.Add(context.Background(), "b"); err != boom {
		t.Errorf("Add = %v; want the model's error", err)
	}
}
