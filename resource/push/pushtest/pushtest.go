// Package pushtest reads a Server-Sent Events stream in tests.
package pushtest

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// Message is one message of the stream; a comment line (a heartbeat) or a "retry:" field
// comes as a Message with only Comment set.
type Message struct {
	ID      int64
	Type    string
	Data    string
	Comment string
}

// Read parses the stream into out until it ends, then closes out.
func Read(r io.Reader, out chan<- Message) {
	defer close(out)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var m Message
	var data []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if m.Type != "" || m.Comment != "" {
				m.Data = strings.Join(data, "\n")
				out <- m
			}
			m, data = Message{}, nil
		case strings.HasPrefix(line, ":"):
			m.Comment = strings.TrimSpace(line[1:])
		case strings.HasPrefix(line, "retry: "):
			m.Comment = line
		case strings.HasPrefix(line, "id: "):
			m.ID, _ = strconv.ParseInt(line[4:], 10, 64)
		case strings.HasPrefix(line, "event: "):
			m.Type = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = append(data, line[6:])
		}
	}
}
