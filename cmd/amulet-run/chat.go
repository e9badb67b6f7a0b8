package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/amulet-llm/amulet/amulet"
)

const chatHelpText = `commands:
  /preference TEXT   set the preference (a preset or free text); /preference none clears it
  /preference +TEXT  add another preference
  /method M          base, pref, amulet, la or cfg
  /system TEXT       set the system prompt (/system none clears it)
  /reset             forget the conversation
  /help              this text
  /quit              leave (also end of input)
presets: `

// runChat is an interactive multi-turn chat on stdin/stdout. Models without a chat template
// get a plain "User: ... Assistant:" transcript.
func runChat(ctx context.Context, args []string, s streams) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(s.err)
	var g genFlags
	g.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(s.err, "usage: amulet-run chat [-m FILE] [--system S] [--preference P ...] [--method M] [flags]")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	base, err := g.request(nil)
	if err != nil {
		return err
	}
	eng, err := g.open()
	if err != nil {
		return err
	}
	defer eng.Close()
	plain := eng.Template() == nil

	var history []amulet.Message
	ctx, stop := context.WithCancel(ctx)
	defer stop() // ends the reader goroutine when the chat ends first
	lines, inputErr := chatLines(ctx, s.in)
	fmt.Fprintf(s.err, "chat with %s (/help for commands)\n", g.modelName())
	for {
		fmt.Fprint(s.out, "> ")
		var line string
		var ok bool
		select {
		case line, ok = <-lines:
		case <-ctx.Done(): // Ctrl-C while waiting for input
			fmt.Fprintln(s.out)
			return nil
		}
		if !ok {
			fmt.Fprintln(s.out)
			return inputErr()
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "/") {
			quit, err := chatCommand(line, &base, &history, s.out, g.preferenceText)
			if err != nil {
				fmt.Fprintln(s.out, "error:", err)
			}
			if quit {
				return nil
			}
			continue
		}
		req := base
		history = append(history, amulet.Message{Role: "user", Content: line})
		if plain {
			req.Prompt = chatTranscript(history)
			req.Stop = append(append([]string(nil), req.Stop...), "\nUser:")
		} else {
			req.Messages = history
		}
		res, err := eng.Generate(ctx, req, func(t amulet.Token) error {
			_, err := io.WriteString(s.out, t.Text)
			return err
		})
		fmt.Fprintln(s.out)
		if errors.Is(err, context.Canceled) {
			return nil
		}
		if err != nil {
			history = history[:len(history)-1]
			fmt.Fprintln(s.out, "error:", err)
			continue
		}
		history = append(history, amulet.Message{Role: "assistant", Content: strings.TrimSpace(res.Text)})
		fmt.Fprintln(s.err, genSummary(res))
	}
}

// chatLines reads lines from r on a goroutine, so that waiting for input does not keep a
// cancelled ctx from ending the chat. The channel closes at the end of input (then err gives
// the read error, if any) or when ctx is done.
func chatLines(ctx context.Context, r io.Reader) (lines <-chan string, err func() error) {
	ch := make(chan string)
	in := bufio.NewScanner(r)
	in.Buffer(make([]byte, 0, 64*1024), 1<<20)
	go func() {
		defer close(ch)
		for in.Scan() {
			select {
			case ch <- in.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	// in.Err is read only after ch is closed, when the goroutine has finished with in.
	return ch, in.Err
}

// chatTranscript frames a conversation for a model without a chat template.
func chatTranscript(history []amulet.Message) string {
	var b strings.Builder
	for _, m := range history {
		switch m.Role {
		case "user":
			b.WriteString("User: ")
		case "assistant":
			b.WriteString("Assistant: ")
		}
		b.WriteString(m.Content)
		b.WriteString("\n")
	}
	b.WriteString("Assistant:")
	return b.String()
}

// chatCommand applies one /command; it reports whether to quit.
func chatCommand(line string, req *amulet.Request, history *[]amulet.Message, w io.Writer, prefText func(string) string) (bool, error) {
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case "/quit", "/exit":
		return true, nil
	case "/help":
		fmt.Fprintln(w, chatHelpText+strings.Join(amulet.Presets(), ", "))
	case "/reset":
		*history = nil
		fmt.Fprintln(w, "conversation cleared")
	case "/system":
		if arg == "none" {
			arg = ""
		}
		req.System = arg
		fmt.Fprintf(w, "system prompt: %q\n", arg)
	case "/method":
		m, err := amulet.ParseMethod(arg)
		if err != nil {
			return false, err
		}
		req.Method = m
		fmt.Fprintln(w, "method:", m)
	case "/preference":
		switch {
		case arg == "" || arg == "none":
			req.Preferences = nil
		case strings.HasPrefix(arg, "+"):
			more := strings.TrimSpace(arg[1:])
			if more == "" {
				return false, errors.New("/preference +TEXT: the text is missing")
			}
			req.Preferences = append(req.Preferences, amulet.Preference{Text: prefText(more)})
		default:
			req.Preferences = []amulet.Preference{{Text: prefText(arg)}}
		}
		if len(req.Preferences) == 0 && req.Method != "" && req.Method != amulet.MethodBase {
			req.Method = ""
		}
		var names []string
		for _, p := range req.Preferences {
			names = append(names, fmt.Sprintf("%q", amulet.PreferenceSentence(p.Text)))
		}
		fmt.Fprintln(w, "preferences:", strings.Join(names, ", "))
	default:
		return false, fmt.Errorf("unknown command %s (/help lists them)", name)
	}
	return false, nil
}
