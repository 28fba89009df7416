package prices

import (
	"math"
	"testing"
)

func TestMoneyString(t *testing.T) {
	for _, tc := range []struct {
		m    Money
		want string
	}{
		{0, "$0.00"},
		{1, "$0.000000001"},
		{123_000, "$0.000123"},
		{Cent, "$0.01"},
		{Dollar + 50*Cent, "$1.50"},
		{-Dollar / 2, "-$0.50"},
		{1234 * Dollar, "$1234.00"},
		{math.MinInt64, "-$9223372036.854775808"},
	} {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("Money(%d).String() = %q, want %q", int64(tc.m), got, tc.want)
		}
	}
}

func TestParseDollars(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Money
		ok   bool
	}{
		{"2.50", 2*Dollar + 50*Cent, true},
		{"0.075", 75_000_000, true},
		{"$1", Dollar, true},
		{"0.000000001", 1, true},
		{".5", Dollar / 2, true},
		{"-0.10", -10 * Cent, true},
		{"10", 10 * Dollar, true},
		{"0.0000000001", 0, false},
		{"", 0, false},
		{"1.", 0, false},
		{"abc", 0, false},
		{"1e3", 0, false},
		{"1.2.3", 0, false},
		{"99999999999", 0, false},
	} {
		got, err := ParseDollars(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseDollars(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseDollarsRoundTrip(t *testing.T) {
	for _, m := range []Money{0, 1, 999, Cent, 123_456_789_012, -42} {
		got, err := ParseDollars(m.String())
		if err != nil || got != m {
			t.Errorf("ParseDollars(%q) = %v, %v; want %d", m.String(), got, err, m)
		}
	}
}

func TestDollars(t *testing.T) {
	if got := (Dollar + 25*Cent).Dollars(); got != 1.25 {
		t.Errorf("Dollars() = %v, want 1.25", got)
	}
}
