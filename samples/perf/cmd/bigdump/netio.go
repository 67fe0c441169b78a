package main

import (
	"fmt"
	"io"
	"net"
)

// netIO parks count extra goroutines in "IO wait", each reading its own
// loopback TCP connection: two readers of one socket would not both be in IO
// wait (the second queues on the fd lock), so every goroutine costs two file
// descriptors, which is why this is opt-in and small.
type netIO struct {
	ln      net.Listener
	clients []net.Conn
	servers []net.Conn
}

func startNetIO(count int) (*netIO, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	nio := &netIO{ln: ln}
	for range count {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			nio.close()
			return nil, fmt.Errorf("netio: %w", err)
		}
		nio.clients = append(nio.clients, c)
		s, err := ln.Accept()
		if err != nil {
			nio.close()
			return nil, fmt.Errorf("netio: %w", err)
		}
		nio.servers = append(nio.servers, s)
		bl.done.Add(1)
		go ioWait(s)
	}
	return nio, nil
}

// ioWait blocks in a read that only the peer closing the connection ends.
func ioWait(c net.Conn) {
	bl.parked.Add(1)
	var b [1]byte
	_, _ = io.ReadFull(c, b[:])
	bl.done.Done()
}

// close releases the readers (they see EOF) and frees the descriptors.
func (n *netIO) close() {
	for _, c := range n.clients {
		_ = c.Close()
	}
	for _, s := range n.servers {
		_ = s.Close()
	}
	_ = n.ln.Close()
}
