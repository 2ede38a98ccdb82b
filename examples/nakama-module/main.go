// A Nakama server module (Go runtime) that sends every match Nakama's matchmaker forms to the
// Gameye match bridge, as the bridge's NakamaMatched v1 message: the matched entries as
// Nakama gives them (presence and properties) and a match id. The bridge reads it with its
// `nakama` source (README, "Plugging in your matchmaker"): each entry is a player, its numeric
// properties "latency_<region>" its latencies in ms, its string property "team" its team.
// Players add those properties to their matchmaker ticket (`numericProperties` and
// `stringProperties` of `matchmaker_add`).
//
// Build it as a Go plugin against your Nakama version (Heroic Labs' plugin builder image),
// and set the queue in Nakama's config: `runtime.env: ["GAMEYE_MATCHES_QUEUE_URL=https://…"]`.
// Not compiled by CI (there is no Go toolchain in it); it uses only documented APIs of
// github.com/heroiclabs/nakama-common/runtime and github.com/aws/aws-sdk-go-v2.
package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/heroiclabs/nakama-common/runtime"
)

type presence struct {
	UserID    string `json:"userId"`
	SessionID string `json:"sessionId"`
	Username  string `json:"username"`
	Node      string `json:"node"`
}

type entry struct {
	Presence   presence               `json:"presence"`
	Properties map[string]interface{} `json:"properties"`
	PartyID    string                 `json:"partyId,omitempty"`
}

type nakamaMatched struct {
	Type    string  `json:"type"`
	Version int     `json:"version"`
	MatchID string  `json:"matchId"`
	Entries []entry `json:"entries"`
}

func InitModule(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule,
	initializer runtime.Initializer) error {
	env, _ := ctx.Value(runtime.RUNTIME_CTX_ENV).(map[string]string)
	queueURL := env["GAMEYE_MATCHES_QUEUE_URL"]
	if queueURL == "" {
		return errors.New("runtime.env has no GAMEYE_MATCHES_QUEUE_URL")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	queue := sqs.NewFromConfig(cfg)

	return initializer.RegisterMatchmakerMatched(func(ctx context.Context, logger runtime.Logger,
		db *sql.DB, nk runtime.NakamaModule, matched []runtime.MatchmakerEntry) (string, error) {
		message := nakamaMatched{Type: "NakamaMatched", Version: 1, MatchID: matchID(matched)}
		for _, e := range matched {
			p := e.GetPresence()
			message.Entries = append(message.Entries, entry{
				Presence: presence{
					UserID: p.GetUserId(), SessionID: p.GetSessionId(),
					Username: p.GetUsername(), Node: p.GetNodeId(),
				},
				Properties: e.GetProperties(),
				PartyID:    e.GetPartyId(),
			})
		}
		body, err := json.Marshal(message)
		if err != nil {
			return "", err
		}
		if _, err := queue.SendMessage(ctx, &sqs.SendMessageInput{
			QueueUrl:    aws.String(queueURL),
			MessageBody: aws.String(string(body)),
		}); err != nil {
			logger.Error("match %s not sent to the Gameye bridge: %v", message.MatchID, err)
			return "", err
		}
		logger.Info("match %s sent to the Gameye bridge", message.MatchID)
		// No Nakama-hosted match: the players learn their Gameye server from your backend,
		// which hears SessionReady for this match id.
		return "", nil
	})
}

// matchID derives the match id from the matched tickets, so the same match always gets the
// same id and a send that is repeated still starts one server.
func matchID(matched []runtime.MatchmakerEntry) string {
	tickets := make([]string, 0, len(matched))
	for _, e := range matched {
		tickets = append(tickets, e.GetTicket())
	}
	sort.Strings(tickets)
	sum := sha256.New()
	for _, t := range tickets {
		sum.Write([]byte(t))
		sum.Write([]byte{0})
	}
	return "nakama-" + hex.EncodeToString(sum.Sum(nil))[:32]
}
