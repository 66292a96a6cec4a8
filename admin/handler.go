package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/zkfle/zkfle/internal/version"
)

// Prefix is where the commands live, as in ZooKeeper (admin.commandURL).
const Prefix = "/commands"

// ErrMissingOption is returned by NewHandler when Options lacks Node or
// Recorder.
var ErrMissingOption = errors.New("admin: missing option")

// enveloped is every answer: each embeds Envelope.
type enveloped interface{ envelope() *Envelope }

func (e *Envelope) envelope() *Envelope { return e }

// NewHandler returns the admin endpoint's HTTP handler.
func NewHandler(o Options) (http.Handler, error) {
	switch {
	case o.Node == nil:
		return nil, fmt.Errorf("%w: Node", ErrMissingOption)
	case o.Recorder == nil:
		return nil, fmt.Errorf("%w: Recorder", ErrMissingOption)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Version == "" {
		o.Version = version.String()
	}
	return &handler{o: o}, nil
}

type handler struct{ o Options }

// ServeHTTP answers GET (and HEAD) /commands and /commands/<name>.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	name, isCommand := strings.CutPrefix(path, Prefix+"/")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.fail(w, http.StatusMethodNotAllowed, name, fmt.Sprintf("method %s not allowed: use GET", r.Method))
		return
	}
	switch {
	case path == Prefix:
		h.write(w, http.StatusOK, "", listing())
	case !isCommand || name == "" || strings.Contains(name, "/"):
		h.fail(w, http.StatusNotFound, "", fmt.Sprintf("Unknown path: %s (commands are under %s/)", r.URL.Path, Prefix))
	default:
		c, ok := lookup(name)
		if !ok {
			h.fail(w, http.StatusNotFound, name, unknownCommand(name))
			return
		}
		out, err := c.run(&h.o)
		if err != nil {
			h.o.Logger.Warn("admin command failed", "sid", h.o.Node.ID(), "command", c.name, "reason", err.Error())
			h.fail(w, http.StatusServiceUnavailable, c.name, err.Error())
			return
		}
		h.write(w, http.StatusOK, c.name, out.(enveloped))
	}
}

func (h *handler) fail(w http.ResponseWriter, status int, command, msg string) {
	h.write(w, status, command, &Envelope{Error: &msg})
}

func (h *handler) write(w http.ResponseWriter, status int, command string, out enveloped) {
	out.envelope().Command = command
	body, err := json.MarshalIndent(out, "", "  ")
	if err != nil { // only a bug: every answer is plain data
		status = http.StatusInternalServerError
		body = []byte(`{"command":null,"error":"cannot encode the answer"}`)
		h.o.Logger.Error("admin answer not encodable", "sid", h.o.Node.ID(), "command", command, "reason", err.Error())
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// listing describes every command.
func listing() *Listing {
	out := &Listing{Commands: make([]CommandInfo, 0, len(commands))}
	for _, c := range commands {
		aliases := append([]string{}, c.aliases...)
		out.Commands = append(out.Commands, CommandInfo{Name: c.name, URL: Prefix + "/" + c.name,
			Aliases: aliases, Description: c.description})
	}
	return out
}
