"""server-side console sessions; date of the last change of a conversation review

Revision ID: 0004
Revises: 0002
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('console_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_sessions_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_console_sessions_last_seen_at'), ['last_seen_at'], unique=False)

    with op.batch_alter_table('conversation_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_conversation_reviews_updated_at'), ['updated_at'], unique=False)
    # Reviews written before this revision had no date when only tagged: they age from today.
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # naive UTC, like every date of the project
    op.get_bind().execute(
        sa.text("UPDATE conversation_reviews SET updated_at = COALESCE(reviewed_at, :now) WHERE updated_at IS NULL"),
        {"now": now},
    )


def downgrade() -> None:
    with op.batch_alter_table('conversation_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_reviews_updated_at'))
        batch_op.drop_column('updated_at')
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_sessions_last_seen_at'))
        batch_op.drop_index(batch_op.f('ix_console_sessions_user_id'))
    op.drop_table('console_sessions')
