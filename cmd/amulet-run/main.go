// Command amulet-run loads GGUF models and runs them: inspect a file, tokenize text,
// generate completions with optional test-time preference realignment (Amulet), chat,
// and benchmark.
//
// Every subcommand lives in its own file as a function with the signature of
// commandFunc; main only parses the subcommand name and maps errors to exit status 1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
)

// streams bundles the standard streams so commands can be tested without a process.
type streams struct {
	in  io.Reader
	out io.Writer
	err io.Writer
}

// commandFunc runs one subcommand with its arguments (the subcommand name removed).
type commandFunc func(ctx context.Context, args []string, s streams) error

type command struct {
	run     commandFunc
	summary string
}

// errUsage marks an error already reported as usage text: exit 2 without more output.
var errUsage = errors.New("usage")

// parseFlags parses a command's flags. help is true after -h (the usage is printed; the
// command returns nil); a bad flag gives errUsage (the flag package has reported it).
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, errUsage
	}
	return false, nil
}

func commands() map[string]command {
	return map[string]command{
		"bench":   {runBench, "measure prompt and generation speed in llama-bench's format (-o md|json)"},
		"inspect": {runInspect, "print a GGUF file's metadata and tensor table"},
		"eval":    {runEval, "measure preference adherence per method (demo model: exact classifier)"},
		"run":     {runRun, "generate an answer, optionally realigned to preferences (Amulet); --compare, --raw, --json"},
		"chat":    {runChat, "interactive multi-turn chat with test-time preference realignment"},
		"logits":  {runLogits, "print the top-K next-token log-probabilities at every prompt position"},
		"synth":   {runSynth, "write a random-weight llama/qwen2 GGUF (any shape and weight type)"},

		"tokenize":   {runTokenize, "print the token ids of a text (--json, --pieces, --no-bos, --special)"},
		"detokenize": {runDetokenize, "print the text of token ids"},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], streams{os.Stdin, os.Stdout, os.Stderr})
	stop()
	os.Exit(code)
}

// run executes the CLI and returns the process exit status.
func run(ctx context.Context, args []string, s streams) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(s.err, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(s.err, "amulet-run: unknown command %q (run 'amulet-run help' for the list)\n", args[0])
		return 2
	}
	if err := c.run(ctx, args[1:], s); err != nil {
		if errors.Is(err, errUsage) {
			return 2
		}
		fmt.Fprintf(s.err, "amulet-run %s: %s\n", args[0], oneLine(err.Error()))
		return 1
	}
	return 0
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: amulet-run COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'amulet-run COMMAND -h' for a command's flags.")
}

// oneLine keeps error output to a single line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
