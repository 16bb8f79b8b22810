package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
)

// Sampling of the block and mutex profiles while a bench profiles: one blocking event per
// 10 µs spent blocked, one contended lock in 10. Coarser hides the short waits of a
// request; finer slows the run it measures.
const (
	blockProfileRate     = 10_000
	mutexProfileFraction = 10
)

// profile records pprof profiles of one part of a bench run into a folder: cpu.pprof,
// block.pprof and mutex.pprof, with suffix before the extension (the second instance
// writes cpu-instance2.pprof). A nil *profile, from an empty folder, records nothing.
type profile struct {
	dir, suffix string
	cpu         *os.File
}

func startProfile(dir, suffix string) (*profile, error) {
	if dir == "" {
		return nil, nil
	}
	p := &profile{dir: dir, suffix: suffix}
	f, err := os.Create(p.path("cpu"))
	if err != nil {
		return nil, fmt.Errorf("--profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--profile: %w", err)
	}
	p.cpu = f
	runtime.SetBlockProfileRate(blockProfileRate)
	runtime.SetMutexProfileFraction(mutexProfileFraction)
	return p, nil
}

func (p *profile) path(kind string) string {
	return filepath.Join(p.dir, kind+p.suffix+".pprof")
}

// stop ends the CPU profile and writes the block and mutex profiles gathered since start.
// Stopping again does nothing.
func (p *profile) stop() error {
	if p == nil || p.cpu == nil {
		return nil
	}
	pprof.StopCPUProfile()
	err := p.cpu.Close()
	for _, kind := range []string{"block", "mutex"} {
		f, ferr := os.Create(p.path(kind))
		if ferr == nil {
			ferr = pprof.Lookup(kind).WriteTo(f, 0)
			if cerr := f.Close(); ferr == nil {
				ferr = cerr
			}
		}
		if err == nil && ferr != nil {
			err = fmt.Errorf("--profile: %w", ferr)
		}
	}
	runtime.SetBlockProfileRate(0)
	runtime.SetMutexProfileFraction(0)
	p.cpu = nil
	return err
}
