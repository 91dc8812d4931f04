"""answer feedback and the review queue's labels

Revision ID: 0005
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('answer_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.String(length=120), nullable=False),
    sa.Column('intent', sa.String(length=120), nullable=False),
    sa.Column('answer_at', sa.Float(), nullable=False),
    sa.Column('question_at', sa.Float(), nullable=True),
    sa.Column('value', sa.String(length=8), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('comment_red_flag', sa.String(length=8), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'answer', 'answer_at', name='uq_answer_feedback_answer')
    )
    with op.batch_alter_table('answer_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_feedback_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_feedback_created_at'), ['created_at'], unique=False)

    op.create_table('message_labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=255), nullable=False),
    sa.Column('message_at', sa.Float(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('predicted_intent', sa.String(length=120), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('flagged_by', sa.String(length=120), nullable=True),
    sa.Column('flagged_at', sa.DateTime(), nullable=True),
    sa.Column('label', sa.String(length=64), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('labelled_by', sa.String(length=120), nullable=True),
    sa.Column('labelled_at', sa.DateTime(), nullable=True),
    sa.Column('red_flag_words', sa.Boolean(), nullable=False),
    sa.Column('red_flag_groups', sa.String(length=16), nullable=False),
    sa.Column('learned_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'message_at', name='uq_message_labels_message')
    )
    with op.batch_alter_table('message_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_labels_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_labels_label'), ['label'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('message_labels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_labels_label'))
        batch_op.drop_index(batch_op.f('ix_message_labels_conversation_id'))
    op.drop_table('message_labels')
    with op.batch_alter_table('answer_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_feedback_created_at'))
        batch_op.drop_index(batch_op.f('ix_answer_feedback_conversation_id'))
    op.drop_table('answer_feedback')
