package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// placement is where `gongshi load` runs its parts: the load generator (this process) on one
// CPU, the servers it starts (portal and hello-world floor) on another, so that the client
// does not take the server's CPU time and the ratios compare the servers alone.
type placement struct {
	prefix []string // command prefix for the servers (taskset -c N); nil when not pinned
	note   string   // one line for the report
}

// placeProcesses pins this process to the first CPU it may run on and returns the prefix that
// pins the servers to the second. Without taskset (util-linux), with fewer than two CPUs or
// with pin off it pins nothing and says so.
func placeProcesses(pin bool) placement {
	unpinned := func(why string) placement {
		return placement{note: fmt.Sprintf("NOT PINNED (%s): load generator and servers share %d CPUs and compete for them, so the ratios compare less well between runs and machines", why, runtime.NumCPU())}
	}
	if !pin {
		return unpinned("--pin=false")
	}
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		return unpinned("taskset not found; it is in util-linux")
	}
	out, err := exec.Command(taskset, "-pc", strconv.Itoa(os.Getpid())).Output()
	if err != nil {
		return unpinned("taskset -pc: " + err.Error())
	}
	cpus, err := affinityList(string(out))
	if err != nil {
		return unpinned(err.Error())
	}
	if len(cpus) < 2 {
		return unpinned(fmt.Sprintf("only CPU %v is available", cpus))
	}
	client, server := cpus[0], cpus[1]
	// -a: every thread of this process; threads started later inherit the setting.
	if out, err := exec.Command(taskset, "-a", "-p", "-c", strconv.Itoa(client), strconv.Itoa(os.Getpid())).CombinedOutput(); err != nil {
		return unpinned(fmt.Sprintf("taskset -a -p: %v: %s", err, strings.TrimSpace(string(out))))
	}
	runtime.GOMAXPROCS(1)
	return placement{
		prefix: []string{taskset, "-c", strconv.Itoa(server)},
		note: fmt.Sprintf("load generator on CPU %d (GOMAXPROCS 1), servers on CPU %d (taskset); %d CPUs on the machine",
			client, server, runtime.NumCPU()),
	}
}

// affinityList reads the CPU list out of `taskset -pc PID`'s answer ("pid 12's current
// affinity list: 0-2,4").
func affinityList(out string) ([]int, error) {
	_, list, ok := strings.Cut(strings.TrimSpace(out), ": ")
	if !ok {
		return nil, fmt.Errorf("taskset answered %q", out)
	}
	var cpus []int
	for part := range strings.SplitSeq(list, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("taskset CPU list %q: %w", list, err)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("taskset CPU list %q: bad range %q", list, part)
			}
		}
		for c := a; c <= b; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}
