package clock_test

import (
	"fmt"
	"time"

	"github.com/mockcloud/mockcloud/clock"
)

// A fake that expires a lease unless it is renewed: the expiry is an event
// on the shared clock, and the test drives time with Advance.
func Example() {
	c := clock.New(time.Time{}) // starts at clock.DefaultStart()

	c.AfterFunc(30*time.Second, func() {
		fmt.Println("lease expired at", c.Now().Format(time.TimeOnly))
	})
	c.AfterFunc(10*time.Second, func() {
		fmt.Println("heartbeat at", c.Now().Format(time.TimeOnly))
	})

	now := c.Advance(15 * time.Second)
	fmt.Println("advanced to", now.Format(time.TimeOnly), "pending:", c.Pending())

	c.Advance(time.Minute)
	fmt.Println("pending:", c.Pending())
	// Output:
	// heartbeat at 00:00:10
	// advanced to 00:00:15 pending: 1
	// lease expired at 00:00:30
	// pending: 0
}
