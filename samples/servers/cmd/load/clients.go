package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/nats-io/nats.go"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// opTimeout bounds every request a client makes.
const opTimeout = 5 * time.Second

// natsClient publishes on its own subject, which it also subscribes to, so
// every round goes through the server's read loop, its routing and a write
// loop back to the client.
type natsClient struct {
	nc      *nats.Conn
	subject string
}

func dialNATS(addr string, i int) (client, error) {
	nc, err := nats.Connect("nats://"+addr, nats.Name(fmt.Sprintf("load-%d", i)), nats.Timeout(opTimeout), nats.NoReconnect())
	if err != nil {
		return nil, err
	}
	c := &natsClient{nc: nc, subject: fmt.Sprintf("load.%d", i)}
	if _, err := nc.Subscribe(c.subject, func(*nats.Msg) {}); err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

func (c *natsClient) work(context.Context) error {
	if err := c.nc.Publish(c.subject, []byte("load")); err != nil {
		return err
	}
	return c.nc.FlushTimeout(opTimeout)
}

func (c *natsClient) close() { c.nc.Close() }

// httpClient keeps one kept-alive connection of its own and GETs the root.
type httpClient struct {
	t   *http.Transport
	c   *http.Client
	url string
}

func dialHTTP(addr string, _ int) (client, error) {
	t := &http.Transport{DialContext: (&net.Dialer{Timeout: opTimeout}).DialContext, MaxIdleConnsPerHost: 1}
	return &httpClient{t: t, c: &http.Client{Transport: t, Timeout: opTimeout}, url: "http://" + addr + "/"}, nil
}

func (c *httpClient) work(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return err
	}
	resp, err := c.c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

func (c *httpClient) close() { c.t.CloseIdleConnections() }

// etcdClient writes and reads its own key and watches it, so each client
// holds a gRPC connection with a unary call in flight now and then and a
// watch stream open all along.
type etcdClient struct {
	cli    *clientv3.Client
	key    string
	cancel context.CancelFunc
	done   chan struct{} // closed when the watch stream has ended
}

func dialEtcd(addr string, i int) (client, error) {
	// Its logger would print every call cancelled at the end of a stage.
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{addr}, DialTimeout: opTimeout, Logger: zap.NewNop()})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &etcdClient{cli: cli, key: fmt.Sprintf("load/%d", i), cancel: cancel, done: make(chan struct{})}
	events := cli.Watch(ctx, c.key)
	go func() {
		defer close(c.done)
		for range events { // ends when cancel closes the stream
		}
	}()
	return c, nil
}

func (c *etcdClient) work(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	if _, err := c.cli.Put(ctx, c.key, "load"); err != nil {
		return err
	}
	_, err := c.cli.Get(ctx, c.key)
	return err
}

func (c *etcdClient) close() {
	c.cancel()
	c.cli.Close()
	<-c.done
}
