package main

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

//go:embed peers.py
var peersScript []byte

// mallocEnv keeps glibc from returning PyTorch's and NumPy's large
// temporaries to the kernel after every call (each page fault costs
// microseconds here): no mmap'd chunks, no trimming, and one arena (the
// autograd engine frees on another thread, whose arena would shrink its heap
// otherwise). Reported in the report.
var mallocEnv = []string{
	"MALLOC_MMAP_THRESHOLD_=33554432", // glibc's largest accepted value (32 MiB)
	"MALLOC_MMAP_MAX_=0",              // larger chunks from the heap as well, never mmap'd
	"MALLOC_TRIM_THRESHOLD_=68719476736",
	"MALLOC_TOP_PAD_=268435456",
	"MALLOC_ARENA_MAX=1",
	"OMP_NUM_THREADS=1",
	"MKL_NUM_THREADS=1",
}

// peerHello is what peers.py reports at start.
type peerHello struct {
	Python       string            `json:"python"`
	Executable   string            `json:"executable"`
	NumPy        string            `json:"numpy"`
	NumPyError   string            `json:"numpy_error"`
	Torch        string            `json:"torch"`
	TorchThreads int               `json:"torch_threads"`
	TorchError   string            `json:"torch_error"`
	Env          map[string]string `json:"env"`
}

type peerRequest struct {
	Loss    string   `json:"loss"`
	DType   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Grad    bool     `json:"grad"`
	Peers   []string `json:"peers"`
	TargetS float64  `json:"target_s"`
	Reps    int      `json:"reps"`
	MinReps int      `json:"min_reps"`
	MaxS    float64  `json:"max_s"`
}

type peerResult struct {
	Peer    string    `json:"peer"`
	Samples []float64 `json:"samples"`
	Calls   int       `json:"calls"`
	MinFlt  float64   `json:"minflt"`
	MajFlt  float64   `json:"majflt"`
	Value   float64   `json:"value"`
}

type peerResponse struct {
	Results []peerResult `json:"results"`
	Error   string       `json:"error"`
}

// peers is the running peer process; nil methods report every peer missing.
type peers struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Scanner
	dir   string
	Hello peerHello
	// Why is the reason the process is not there ("" when it is).
	Why string
}

// startPeers starts peers.py under python; on failure the returned peers
// reports every peer missing, with the reason.
func startPeers(python string) *peers {
	ps := &peers{}
	if python == "" {
		ps.Why = "disabled with -python ''"
		return ps
	}
	dir, err := os.MkdirTemp("", "lossbench")
	if err != nil {
		ps.Why = err.Error()
		return ps
	}
	ps.dir = dir
	script := filepath.Join(dir, "peers.py")
	if err := os.WriteFile(script, peersScript, 0o644); err != nil {
		ps.Why = err.Error()
		return ps
	}
	cmd := exec.Command(python, "-u", script)
	cmd.Env = append(os.Environ(), mallocEnv...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		ps.Why = err.Error()
		return ps
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		ps.Why = err.Error()
		return ps
	}
	if err := cmd.Start(); err != nil {
		ps.Why = fmt.Sprintf("cannot start %s: %v", python, err)
		return ps
	}
	ps.cmd, ps.in = cmd, in
	ps.out = bufio.NewScanner(out)
	ps.out.Buffer(make([]byte, 1<<20), 1<<24)
	var h struct {
		Hello peerHello `json:"hello"`
	}
	if err := ps.read(&h); err != nil {
		ps.Why = fmt.Sprintf("%s %s: %v", python, script, err)
		ps.Close()
		return ps
	}
	ps.Hello = h.Hello
	return ps
}

func (ps *peers) read(v any) error {
	if !ps.out.Scan() {
		if err := ps.out.Err(); err != nil {
			return err
		}
		return io.ErrUnexpectedEOF
	}
	return json.Unmarshal(ps.out.Bytes(), v)
}

// Missing returns why peer ("pytorch" or "numpy") is not measured, "" when it is.
func (ps *peers) Missing(peer string) string {
	if ps.cmd == nil {
		if ps.Why == "" {
			return "peer process not running"
		}
		return ps.Why
	}
	switch peer {
	case "pytorch":
		if ps.Hello.Torch == "" {
			return "PyTorch missing (" + ps.Hello.TorchError + ")"
		}
	case "numpy":
		if ps.Hello.NumPy == "" {
			return "NumPy missing (" + ps.Hello.NumPyError + ")"
		}
	}
	return ""
}

// Measure asks the peer process for the peers of g.
func (ps *peers) Measure(g group, names []string, t timing) (map[string]peerResult, error) {
	if ps.cmd == nil || len(names) == 0 {
		return nil, nil
	}
	req := peerRequest{
		Loss: g.Loss.Name, DType: g.DType, Shape: g.Shape, Grad: g.Grad, Peers: names,
		TargetS: t.Sample.Seconds(), Reps: t.Reps, MinReps: t.MinRep, MaxS: t.MaxImp.Seconds(),
	}
	b, _ := json.Marshal(req)
	if _, err := ps.in.Write(append(b, '\n')); err != nil {
		ps.Why = "peer process: " + err.Error()
		ps.Close()
		return nil, err
	}
	var resp peerResponse
	if err := ps.read(&resp); err != nil {
		ps.Why = "peer process: " + err.Error()
		ps.Close()
		return nil, err
	}
	if resp.Error != "" {
		return nil, fmt.Errorf("peers.py: %s", resp.Error)
	}
	m := make(map[string]peerResult)
	for _, r := range resp.Results {
		m[r.Peer] = r
	}
	return m, nil
}

// Close ends the peer process.
func (ps *peers) Close() {
	if ps.cmd != nil {
		ps.in.Close()
		done := make(chan struct{})
		go func() { ps.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			ps.cmd.Process.Kill()
			<-done
		}
		ps.cmd = nil
	}
	if ps.dir != "" {
		os.RemoveAll(ps.dir)
		ps.dir = ""
	}
}
