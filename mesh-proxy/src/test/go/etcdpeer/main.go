// etcdpeer is a test and benchmark peer for mesh-proxy: the Go etcd client (go.etcd.io/etcd/client/v3), the
// client Cilium and Kubernetes use, driven from the Java integration tests and bench/proxy-burst.sh.
//
// Modes (each prints one result line last, "key=value" pairs, and exits 0 unless the client could not run):
//
//	burst     N watch streams on one prefix, then W puts (written straight to etcd) spread over S seconds;
//	          reports per watcher whether every event arrived in order, ended with an error, or hung.
//	fragment  a watch with WithFragment and WithPrevKV from a revision, with a small receive limit.
//	sync      clientv3 Sync() (MemberList) and a Get through the endpoints Sync chose.
//	denied    a Put: is the error rpctypes.ErrPermissionDenied?
//	lease-compare  a Txn comparing a key's lease.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc/metadata"
)

type common struct {
	endpoint, cacert, cert, key string
	maxRecv                     int
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.endpoint, "endpoint", "", "endpoint under test (https:// for the proxy)")
	fs.StringVar(&c.cacert, "cacert", "", "CA of the endpoint")
	fs.StringVar(&c.cert, "cert", "", "client certificate")
	fs.StringVar(&c.key, "key", "", "client key")
	fs.IntVar(&c.maxRecv, "max-recv", 0, "largest message the client accepts (0: clientv3's default)")
}

func (c *common) client() *clientv3.Client {
	cfg := clientv3.Config{Endpoints: []string{c.endpoint}, DialTimeout: 10 * time.Second, Logger: zap.NewNop(),
		MaxCallRecvMsgSize: c.maxRecv}
	if c.cacert != "" {
		pool := x509.NewCertPool()
		pem, err := os.ReadFile(c.cacert)
		must(err)
		pool.AppendCertsFromPEM(pem)
		pair, err := tls.LoadX509KeyPair(c.cert, c.key)
		must(err)
		cfg.TLS = &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}}
	}
	cli, err := clientv3.New(cfg)
	must(err)
	return cli
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdpeer:", err)
		os.Exit(2)
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: etcdpeer burst|fragment|sync|denied [flags]")
		os.Exit(2)
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "burst":
		burst(args)
	case "fragment":
		fragment(args)
	case "sync":
		syncMembers(args)
	case "denied":
		denied(args)
	case "lease-compare":
		leaseCompare(args)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
}

// watcher is what one watch stream saw.
type watcher struct {
	revisions []int64
	err       error
	compacted bool
}

func burst(args []string) {
	fs := flag.NewFlagSet("burst", flag.ExitOnError)
	var c common
	c.register(fs)
	writeEndpoint := fs.String("write-endpoint", "", "etcd the puts go to (plain http)")
	watchers := fs.Int("watchers", 200, "watch streams")
	clients := fs.Int("clients", 10, "client connections the watch streams share")
	writes := fs.Int("writes", 2000, "puts")
	seconds := fs.Float64("seconds", 4, "time the puts are spread over")
	maxValue := fs.Int("max-value", 100*1024, "largest value")
	total := fs.Int("total", 17_000_000, "bytes of all values together (approximately)")
	keys := fs.Int("keys", 500, "distinct keys the puts cycle through")
	prefix := fs.String("prefix", "mesh/v1/burst/", "watched prefix")
	prevKV := fs.Bool("prev-kv", false, "watch with previous values")
	timeout := fs.Duration("timeout", 120*time.Second, "give up waiting for events after this")
	must(fs.Parse(args))

	writer := (&common{endpoint: *writeEndpoint}).client()
	defer writer.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start, err := writer.Get(ctx, *prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	must(err)
	from := start.Header.Revision + 1

	conns := make([]*clientv3.Client, *clients)
	for i := range conns {
		conns[i] = c.client()
		defer conns[i].Close()
	}
	seen := make([]*watcher, *watchers)
	var created sync.WaitGroup
	var mu sync.Mutex
	created.Add(*watchers)
	for i := 0; i < *watchers; i++ {
		seen[i] = &watcher{}
		// Distinct metadata: clientv3 shares one gRPC stream among watches of equal metadata.
		wctx := metadata.AppendToOutgoingContext(ctx, "mesh-bench-watcher", strconv.Itoa(i))
		opts := []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithRev(from), clientv3.WithCreatedNotify()}
		if *prevKV {
			opts = append(opts, clientv3.WithPrevKV())
		}
		ch := conns[i%len(conns)].Watch(wctx, *prefix, opts...)
		go consume(ch, seen[i], &created, &mu)
	}
	waitOrTimeout(&created, 60*time.Second)

	t0 := time.Now()
	revs, bytes := write(writer, *prefix, *writes, *keys, *seconds, *maxValue, *total)
	written := time.Since(t0)
	expected := revs[len(revs)-1]
	deadline := time.Now().Add(*timeout)
	for time.Now().Before(deadline) && !allDone(seen, expected, &mu) {
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf("timing write_seconds=%.1f done_seconds=%.1f\n", written.Seconds(), time.Since(t0).Seconds())
	report(seen, len(revs), expected, bytes, &mu)
}

func consume(ch clientv3.WatchChan, w *watcher, created *sync.WaitGroup, mu *sync.Mutex) {
	first := true
	for resp := range ch {
		if resp.Created && first {
			first = false
			created.Done()
			continue
		}
		mu.Lock()
		if err := resp.Err(); err != nil {
			w.err = err
			w.compacted = resp.CompactRevision != 0
			mu.Unlock()
			return
		}
		for _, ev := range resp.Events {
			w.revisions = append(w.revisions, ev.Kv.ModRevision)
		}
		mu.Unlock()
	}
	mu.Lock()
	if w.err == nil {
		w.err = errors.New("watch channel closed")
	}
	mu.Unlock()
	if first {
		created.Done()
	}
}

func waitOrTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		must(errors.New("watches not created within " + d.String()))
	}
}

// write puts n values (sizes skewed so that they add up to about total) spread over seconds, from 8
// goroutines; returns the revisions in commit order and the bytes written.
func write(cli *clientv3.Client, prefix string, n, keys int, seconds float64, maxValue, total int) ([]int64, int64) {
	exponent := math.Max(0, float64(maxValue)*float64(n)/float64(total)-1)
	rnd := rand.New(rand.NewSource(17))
	sizes := make([]int, n)
	for i := range sizes {
		sizes[i] = 16 + int(float64(maxValue-16)*math.Pow(rnd.Float64(), exponent))
	}
	revs := make([]int64, n)
	var bytes int64
	var next int64 = -1
	t0 := time.Now()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= n {
					return
				}
				if wait := time.Until(t0.Add(time.Duration(float64(i) / float64(n) * seconds * float64(time.Second)))); wait > 0 {
					time.Sleep(wait)
				}
				value := make([]byte, sizes[i])
				binary.BigEndian.PutUint32(value, uint32(i))
				resp, err := cli.Put(context.Background(), fmt.Sprintf("%sk%05d", prefix, i%keys), string(value))
				must(err)
				revs[i] = resp.Header.Revision
				atomic.AddInt64(&bytes, int64(len(value)))
			}
		}()
	}
	wg.Wait()
	sorted := append([]int64(nil), revs...)
	sortInt64(sorted)
	fmt.Printf("wrote %d values, %d bytes, in %.1f s\n", n, bytes, time.Since(t0).Seconds())
	return sorted, bytes
}

func sortInt64(a []int64) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j-1] > a[j]; j-- {
			a[j-1], a[j] = a[j], a[j-1]
		}
	}
}

func allDone(seen []*watcher, last int64, mu *sync.Mutex) bool {
	mu.Lock()
	defer mu.Unlock()
	for _, w := range seen {
		if w.err == nil && (len(w.revisions) == 0 || w.revisions[len(w.revisions)-1] < last) {
			return false
		}
	}
	return true
}

// report classifies each watcher: complete (every revision, in order), errored (ended with an error a client
// acts on), lost (reached the last revision but skipped some: silent loss), hung (no error, stopped short).
func report(seen []*watcher, n int, last int64, bytes int64, mu *sync.Mutex) {
	mu.Lock()
	defer mu.Unlock()
	var delivered, complete, errored, compacted, lost, hung, disorder int
	var lostEvents int
	for _, w := range seen {
		delivered += len(w.revisions)
		for i := 1; i < len(w.revisions); i++ {
			if w.revisions[i] <= w.revisions[i-1] {
				disorder++
			}
		}
		reached := len(w.revisions) > 0 && w.revisions[len(w.revisions)-1] >= last
		switch {
		case len(w.revisions) == n && reached:
			complete++
		case w.err != nil:
			errored++
			if w.compacted {
				compacted++
			}
		case reached:
			lost++
			lostEvents += n - len(w.revisions)
		default:
			hung++
		}
	}
	reasons := map[string]int{}
	for _, w := range seen {
		if w.err != nil && len(w.revisions) != n {
			reasons[strings.SplitN(w.err.Error(), "\n", 2)[0]]++
		}
	}
	for r, k := range reasons {
		fmt.Printf("ended with error (%d watchers): %s\n", k, r)
	}
	fmt.Printf("result watchers=%d expected=%d delivered=%d complete=%d errors=%d compacted=%d lost=%d lost_events=%d hung=%d disorder=%d bytes=%d\n",
		len(seen), n*len(seen), delivered, complete, errored, compacted, lost, lostEvents, hung, disorder, bytes)
}

func fragment(args []string) {
	fs := flag.NewFlagSet("fragment", flag.ExitOnError)
	var c common
	c.register(fs)
	prefix := fs.String("prefix", "", "watched prefix")
	from := fs.Int64("from", 1, "start revision")
	expect := fs.Int("expect", 1, "events to wait for")
	withFragment := fs.Bool("fragment", true, "watch WithFragment")
	must(fs.Parse(args))
	cli := c.client()
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithRev(*from), clientv3.WithPrevKV()}
	if *withFragment {
		opts = append(opts, clientv3.WithFragment())
	}
	got, prev := 0, 0
	var failure string
	for resp := range cli.Watch(ctx, *prefix, opts...) {
		if err := resp.Err(); err != nil {
			failure = err.Error()
			break
		}
		for _, ev := range resp.Events {
			got++
			if ev.PrevKv != nil {
				prev++
			}
		}
		if got >= *expect {
			break
		}
	}
	fmt.Printf("result events=%d prev=%d error=%q\n", got, prev, failure)
}

func syncMembers(args []string) {
	fs := flag.NewFlagSet("sync", flag.ExitOnError)
	var c common
	c.register(fs)
	key := fs.String("on", "", "key to read after Sync")
	must(fs.Parse(args))
	cli := c.client()
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	syncErr := cli.Sync(ctx)
	members, err := cli.MemberList(ctx)
	var names, urls []string
	if err == nil {
		for _, m := range members.Members {
			names = append(names, m.Name)
			urls = append(urls, m.ClientURLs...)
		}
	}
	get, getErr := cli.Get(ctx, *key)
	count := int64(-1)
	if getErr == nil {
		count = get.Count
	}
	fmt.Printf("result sync_error=%q members=%s client_urls=%s endpoints=%s get_count=%d get_error=%q\n", errString(syncErr),
		strings.Join(names, ","), strings.Join(urls, ","), strings.Join(cli.Endpoints(), ","), count, errString(getErr))
}

func denied(args []string) {
	fs := flag.NewFlagSet("denied", flag.ExitOnError)
	var c common
	c.register(fs)
	key := fs.String("on", "", "key to put")
	must(fs.Parse(args))
	cli := c.client()
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := cli.Put(ctx, *key, "x")
	fmt.Printf("result is_permission_denied=%t error=%q\n", errors.Is(err, rpctypes.ErrPermissionDenied), errString(err))
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func leaseCompare(args []string) {
	fs := flag.NewFlagSet("lease-compare", flag.ExitOnError)
	var c common
	c.register(fs)
	key := fs.String("on", "", "key whose lease is compared")
	lease := fs.Int64("lease", 0, "lease ID it is compared with")
	must(fs.Parse(args))
	cli := c.client()
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := cli.Txn(ctx).If(clientv3.Compare(clientv3.LeaseValue(*key), "=", clientv3.LeaseID(*lease))).
		Then(clientv3.OpGet(*key)).Commit()
	succeeded := err == nil && resp.Succeeded
	fmt.Printf("result succeeded=%t error=%q\n", succeeded, errString(err))
}
