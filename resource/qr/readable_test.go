package qr

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestReadable(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    error
	}{
		{"circle URL", circleURL, nil},
		{"long URL", longURL, nil},
		{"decoy with tracking", decoyURL, ErrUnreadable},
		{"decoy upright", uprightDecoyURL, ErrUnreadable},
		{"decoy turned a quarter", turnedDecoyURL, ErrUnreadable},
		// Only the soft view refuses this one.
		{"decoy when blurred", "http://localhost:8080/c/oEYHFqdXSBkeWaQXdpt2XA", ErrUnreadable},
		{"empty", "", ErrEmpty},
		{"too long", strings.Repeat("a", 3000), ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Readable(tt.content)
			if !errors.Is(err, tt.want) {
				t.Errorf("Readable = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestTurned(t *testing.T) {
	// a b c     g d a
	// d e f  →  h e b
	// g h i     i f c
	m := matrix{size: 3, dark: []bool{
		false, true, false,
		false, false, false,
		true, false, false,
	}}
	want := []bool{
		true, false, false,
		false, false, true,
		false, false, false,
	}
	if got := m.turned().dark; !slices.Equal(got, want) {
		t.Errorf("turned = %v, want %v", got, want)
	}
}

func TestBlur(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want []byte
	}{
		// Every 3×3 block, the paper beyond the edge included, holds the one dark pixel.
		{"dark centre", []byte{255, 255, 255, 255, 0, 255, 255, 255, 255}, slices.Repeat([]byte{226}, 9)},
		{"white stays white at the edge", slices.Repeat([]byte{255}, 9), slices.Repeat([]byte{255}, 9)},
		{"dark corner", []byte{0, 255, 255, 255, 255, 255, 255, 255, 255}, []byte{226, 226, 255, 226, 226, 255, 255, 255, 255}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := blur(tt.in, 3); !slices.Equal(got, tt.want) {
				t.Errorf("blur = %v, want %v", got, tt.want)
			}
		})
	}
}

// BenchmarkReadable is the cost the check adds to drawing one circle code.
func BenchmarkReadable(b *testing.B) {
	for b.Loop() {
		if err := Readable(circleURL); err != nil {
			b.Fatal(err)
		}
	}
}
