// Package director is the part of an Open Match 2 director that hands its matches to the
// Gameye match bridge: every Match an InvokeMatchmakingFunctions call streams back goes, as
// its protojson, to the bridge's matches queue. The bridge reads it with its `openMatch2`
// source (README, "Plugging in your matchmaker"): each roster is a team, each ticket's
// `attributes.doubleArgs["latency-ms.<region>"]` a latency in ms, and the profile is the
// match's `extensions["profile"]` (a google.protobuf.StringValue) or the source's default.
//
// Not compiled by CI (there is no Go toolchain in it); it uses only documented APIs of
// github.com/googleforgames/open-match2/v2, google.golang.org/protobuf and
// github.com/aws/aws-sdk-go-v2.
package director

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	pb "github.com/googleforgames/open-match2/v2/pkg/pb"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// SendMatches runs one round of matchmaking and sends every match it returns to the bridge.
// The match id is the bridge's idempotency key: make your matchmaking functions give each
// match an id of its own (letters, digits, . _ : -, at most 128), and sending a match twice
// still starts one server.
//
// Open Match has already taken a returned match's tickets out of the pool, so a match that
// cannot be sent is never dropped: SendMatches reads the rest of the stream, sends what it can,
// and returns the bodies it could not send (after the SDK's own retries) with the errors, for
// the caller to send again or log for a replay.
func SendMatches(ctx context.Context, om pb.OpenMatchServiceClient, req *pb.MmfRequest,
	queue *sqs.Client, queueURL string) (unsent []string, err error) {
	stream, err := om.InvokeMatchmakingFunctions(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("invoke matchmaking functions: %w", err)
	}
	var errs []error
	for {
		res, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return unsent, errors.Join(errs...)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("receive a match: %w", err))
			return unsent, errors.Join(errs...)
		}
		match := res.GetMatch()
		if err := withProfile(match, "ranked-5v5"); err != nil {
			errs = append(errs, fmt.Errorf("match %s: %w", match.GetId(), err))
			continue
		}
		body, err := protojson.Marshal(match)
		if err != nil {
			errs = append(errs, fmt.Errorf("match %s to protojson: %w", match.GetId(), err))
			continue
		}
		_, err = queue.SendMessage(ctx, &sqs.SendMessageInput{
			QueueUrl:    aws.String(queueURL),
			MessageBody: aws.String(string(body)),
		})
		if err != nil {
			unsent = append(unsent, string(body))
			errs = append(errs, fmt.Errorf("send match %s to the bridge: %w", match.GetId(), err))
		}
	}
}

// withProfile names the bridge profile the match runs, unless its matchmaking function
// already did (the `profileKey` of the bridge's openMatch2 source, here "profile").
func withProfile(match *pb.Match, profile string) error {
	if _, ok := match.GetExtensions()["profile"]; ok {
		return nil
	}
	value, err := anypb.New(wrapperspb.String(profile))
	if err != nil {
		return fmt.Errorf("profile extension: %w", err)
	}
	if match.Extensions == nil {
		match.Extensions = map[string]*anypb.Any{}
	}
	match.Extensions["profile"] = value
	return nil
}
