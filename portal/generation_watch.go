package portal

import (
	"context"
	"log/slog"
	"time"

	"github.com/gongshi/gongshi/index"
)

// LoadCurrent opens the data folder's current generation and swaps it in if it is not the one
// being served. It is called at start and then every few seconds, so a generation built by
// `gongshi import` (in another process, or on another machine and copied) is picked up
// without a restart.
func (s *Server) LoadCurrent() error {
	id, err := s.cfg.Data.Current()
	if err != nil || id == "" {
		return err
	}
	if info, ok := s.live.Current(); ok && info.ID == id {
		return nil
	}
	if info, err := index.ReadInfo(s.cfg.Data.Generation(id)); err == nil {
		s.newest.Store(&info) // known before it opens: a replica that cannot open it is behind
	}
	g, err := index.OpenGeneration(s.cfg.Data.Generation(id))
	if err != nil {
		return err
	}
	s.live.Swap(g)
	s.log.Info("serving generation", "id", id, "seq", g.Info.Seq, "entities", g.Info.Entities, "records", g.Info.Records, "data_date", g.Info.DataDate)
	return nil
}

func (s *Server) watchGenerations(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.LoadCurrent(); err != nil {
				s.log.Warn("cannot load current generation; still serving the previous one", slog.String("err", err.Error()))
			}
		}
	}
}

// lag is how many data sequences the served generation is behind the data folder's current
// one, as last read (0 when it serves the newest).
func (s *Server) lag() (served, newest int64) {
	if info, ok := s.live.Current(); ok {
		served = info.Seq
	}
	newest = served
	if n := s.newest.Load(); n != nil && n.Seq > newest {
		newest = n.Seq
	}
	return served, newest
}
